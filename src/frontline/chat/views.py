"""Chat pages: the widget's polling fallback and sample page (public), the agents' chat
list with accept / transfer / end, and the chat settings (admins)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from frontline.accounts.access import agent_memberships, workspace_member
from frontline.accounts.models import Role
from frontline.accounts.services import set_availability
from frontline.chat import protocol, services
from frontline.chat.consumers import own_origins
from frontline.chat.models import ChatSession
from frontline.lib import realtime
from frontline.lib.errors import ServiceError
from frontline.tickets.access import access_ticket
from frontline.tickets.consumers import typing_key

MAX_POLL_BODY = 16_384
MAX_COMMANDS = 10


# ---- public: the widget ------------------------------------------------------------------


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Vary"] = "Origin"
    return response


def _error(message: str, code: str, status: int, origin: str = "") -> HttpResponse:
    body = {"events": [{"kind": "error", "code": code, "message": message}]}
    return _cors(JsonResponse(body, status=status), origin)


def _widget_request(request: HttpRequest, key: str):
    """(chat settings, origin, None) for an allowed widget POST, else (…, an error)."""
    origin = request.headers.get("Origin", "")
    try:
        current = services.by_key(key)
    except ServiceError as e:
        return None, origin, _error(e.message, e.code, e.status)
    if not services.origin_allowed(current, origin, own_origins(request.get_host())):
        return None, origin, _error("This site may not use this chat", "origin", 403)
    if request.method == "OPTIONS":
        return None, origin, _cors(HttpResponse(status=204), origin)
    if request.method != "POST":
        return None, origin, _error("Use POST", "method", 405, origin)
    if getattr(request, "limited", False):
        return (
            None,
            origin,
            _error("Too many requests from here; slow down", "rate_limited", 429, origin),
        )
    return current, origin, None


@csrf_exempt  # no cookies are used: the conversation token in the body is the credential
@ratelimit(key="ip", rate="240/m", method="POST", block=False)
def poll(request: HttpRequest, key: str) -> HttpResponse:
    """The widget's fallback when websockets are blocked: it posts its commands and
    what it has seen (`after`), and gets the events since, every few seconds."""
    current, origin, refused = _widget_request(request, key)
    if refused is not None:
        return refused
    if len(request.body) > MAX_POLL_BODY:
        return _error("That request is too large", "too_long", 413, origin)
    try:
        data = json.loads(request.body or b"{}")
        commands = data.get("commands") or []
        after = int(data.get("after") or 0)
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        return _error("Send JSON: {token, after, commands: [...]}", "invalid", 400, origin)
    session = None
    events: list[dict] = []
    if data.get("token"):
        outcome = protocol.handle(current, None, {"type": "hello", "token": data["token"]}, ip="")
        if outcome.session is None:
            return _cors(JsonResponse({"events": outcome.events}, status=403), origin)
        session = outcome.session
    ip = request.META.get("REMOTE_ADDR", "")
    for command in commands:
        outcome = protocol.handle(current, session, command, ip=ip)
        session = outcome.session
        events += [e for e in outcome.events if e["kind"] != "message"]
    if session is not None:
        # What happened since the last poll: the messages and the state, like the pushes;
        # and, for a widget that has seen nothing yet (a reload), who it is talking to.
        since = protocol.welcome(current, session, after)
        fresh = after == 0 and not any(e["kind"] == "hello" for e in events)
        events += since if fresh else since[1:]
        if session.ticket_id:  # an agent typing a reply, as the socket would say
            name = cache.get(typing_key(session.ticket_id))
            events.append({"kind": "typing", "name": name or "", "typing": bool(name)})
    return _cors(JsonResponse({"events": events}), origin)


@csrf_exempt  # the conversation token in the form is the credential, as for `poll`
@ratelimit(key="ip", rate="20/m", method="POST", block=False)
def upload(request: HttpRequest, key: str) -> HttpResponse:
    """A file from the widget (multipart: token, file)."""
    current, origin, refused = _widget_request(request, key)
    if refused is not None:
        return refused
    upload = request.FILES.get("file")
    try:
        session = services.session_for(current.workspace, request.POST.get("token", ""))
        if upload is None:
            raise ServiceError("Choose a file to send", code="invalid", status=400)
        client_id = request.POST.get("client_id", "")
        message = services.visitor_sends_file(session, upload, client_id=client_id)
    except ServiceError as e:
        return _error(e.details[0].message if e.details else e.message, e.code, e.status, origin)
    ack = {"kind": "ack", "client_id": request.POST.get("client_id"), "id": message.pk}
    return _cors(JsonResponse({"events": [ack]}), origin)


def chat_file(request: HttpRequest, token: str) -> HttpResponse:
    """A file of a conversation, by a link signed for that conversation (the widget's)."""
    from datetime import timedelta

    from django.core import signing

    from frontline.chat.live import FILE_SALT
    from frontline.tickets.models import Attachment
    from frontline.tickets.services.attachments import attachment_response

    try:
        data = signing.loads(token, salt=FILE_SALT, max_age=timedelta(days=30))
    except signing.BadSignature:
        raise Http404("No such file") from None
    attachment = get_object_or_404(
        Attachment, pk=data.get("a"), message__ticket__chat__pk=data.get("s")
    )
    return attachment_response(attachment)


def demo_page(request: HttpRequest, key: str) -> HttpResponse:
    """A sample page of "someone's website" with the widget on it."""
    try:
        current = services.by_key(key)
    except ServiceError:
        raise Http404("No such chat") from None
    return render(request, "chat/demo.html", {"current": current, "workspace": current.workspace})


# ---- agents -----------------------------------------------------------------------------


@login_required
def chats(request: HttpRequest, slug: str) -> HttpResponse:
    live_since = realtime.live_since()
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    sessions = list(services.waiting_and_live(workspace))
    load = services.active_load(workspace.pk)
    online = {u.pk for u in services.available_agents(workspace)}
    team = [
        {"user": m.user, "online": m.user.pk in online, "away": not m.is_available,
         "load": load.get(m.user.pk, 0)}
        for m in agent_memberships(workspace).order_by("user__name", "user__email")
    ]  # fmt: skip
    return render(
        request,
        "chat/chats.html",
        {
            "workspace": workspace,
            "membership": membership,
            "live_since": live_since,
            "sessions": sessions,
            "team": team,
            "current": services.settings_for(workspace),
            "can_work": membership.has_role(Role.AGENT),
        },
    )


def _session(request: HttpRequest, slug: str, pk: int) -> ChatSession:
    workspace, _ = workspace_member(request.user, slug, Role.AGENT)
    session = get_object_or_404(
        ChatSession.objects.select_related("workspace", "ticket"), workspace=workspace, pk=pk
    )
    if session.ticket_id:
        access_ticket(request.user, workspace, session.ticket.number, write=True)
    return session


def _back(request: HttpRequest, session: ChatSession) -> HttpResponse:
    if request.POST.get("next") == "ticket" and session.ticket_id:
        return redirect("ticket", session.workspace.slug, session.ticket.number)
    return redirect("chats", session.workspace.slug)


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session = _session(request, slug, pk)
    try:
        services.accept(session, by=request.user)
    except ServiceError as e:
        messages.error(request, str(e))
        return redirect("chats", slug)
    return redirect("ticket", slug, session.ticket.number)


@login_required
@require_POST
def transfer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session = _session(request, slug, pk)
    to = agent_memberships(session.workspace).filter(user_id=request.POST.get("to") or 0).first()
    try:
        if to is None:
            raise ServiceError("Choose an agent of this workspace", code="invalid")
        services.transfer(session, to.user, by=request.user)
        messages.success(request, f"Chat passed to {to.user.display_name}.")
    except ServiceError as e:
        messages.error(request, str(e))
    return _back(request, session)


@login_required
@require_POST
def end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session = _session(request, slug, pk)
    services.end(session, by=request.user)
    messages.success(request, "Chat ended; the request is solved.")
    return _back(request, session)


@login_required
@require_POST
def availability(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    available = request.POST.get("available") == "1"
    set_availability(membership, available)
    if available:
        services.route_waiting(workspace.pk)
    messages.success(request, "You are available for chats." if available else "You are away.")
    return redirect("chats", slug)


@login_required
def chat_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins change the chat")
    current = services.settings_for(workspace)
    error = None
    if request.method == "POST":
        try:
            services.update_settings(current, by=request.user, data=request.POST)
            messages.success(request, "Chat settings saved.")
            return redirect("chat_settings", slug)
        except ServiceError as e:
            error = str(e)
    return render(
        request,
        "chat/settings.html",
        {
            "workspace": workspace,
            "membership": membership,
            "current": current,
            "origins": "\n".join(current.allowed_origins),
            "error": error,
        },
    )


@login_required
@require_POST
def rotate_key(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    services.rotate_key(services.settings_for(workspace), by=request.user)
    messages.success(request, "New widget key made: update the snippet on your sites.")
    return redirect("chat_settings", slug)
