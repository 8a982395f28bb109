"""The agent workspace pages: inbox and ticket. Thin views over the same services and
search as the API; every view checks membership (404 for other workspaces)."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontline.accounts.access import agent_memberships, workspace_member
from frontline.accounts.models import Membership, Role, Workspace
from frontline.lib import realtime
from frontline.lib.errors import ServiceError
from frontline.tickets import hooks, services
from frontline.tickets.access import access_ticket, visible_tickets
from frontline.tickets.events import Actor
from frontline.tickets.fields import FORM_PREFIX, form_errors, form_rows, form_values
from frontline.tickets.inbox import inbox_page, inbox_views, view_count
from frontline.tickets.models import (
    Channel,
    CustomField,
    Macro,
    Message,
    Priority,
    Status,
    Team,
)
from frontline.tickets.search import ORDERS, QueryError
from frontline.tickets.timeline import timeline

MAX_FILES = 10  # attachments per message from the composer


@login_required
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    live_since = realtime.live_since()
    workspace, membership = workspace_member(request.user, slug)
    views = inbox_views(request.user, workspace)
    key = request.GET.get("view") or "mine"
    current = next((v for v in views if v.key == key), None)
    if current is None:
        raise Http404("No such view")
    text = request.GET.get("q", "")
    picked = _picked_filters(request.GET)
    if picked:  # the filter menus become words of the query language, shown in the box
        merged = " ".join(part for part in (text.strip(), picked) if part)
        query = {"view": current.key, "q": merged, "order": request.GET.get("order", "")}
        return redirect(reverse("inbox", args=[slug]) + "?" + urlencode(query))
    order = request.GET.get("order") or None
    page, error = None, None
    try:
        page = inbox_page(
            request.user, workspace, current, text, order=order, cursor=request.GET.get("cursor")
        )
    except QueryError as exc:
        error = str(exc)
    counts = {v.key: view_count(request.user, workspace, v) for v in views}
    can_write = membership.has_role(Role.AGENT)
    return render(
        request,
        "tickets/inbox.html",
        {
            "workspace": workspace,
            "membership": membership,
            "live_since": live_since,
            "views": [(v, counts[v.key]) for v in views],
            "current": current,
            "q": text,
            "order": (page.order if page else order) or "",
            "orders": ORDERS,
            "page": page,
            "error": error,
            "can_write": can_write,
            "channels": Channel.choices,
            "times": TIME_CHOICES.items(),
            **_choices(workspace),
        },
    )


FILTER_MENUS = ("status", "priority", "assignee", "team", "channel", "tag")
# The created/updated menus: a time ago in the query language, and how the menu says it.
TIME_MENUS = ("created", "updated")
TIME_CHOICES = {
    ">1h": "in the last hour",
    ">24h": "in the last day",
    ">7d": "in the last 7 days",
    "<24h": "more than a day ago",
    "<7d": "more than 7 days ago",
}


def _picked_filters(params) -> str:
    """ "status:open assignee:me updated<24h" from the inbox's filter menus (f_status=open,
    f_updated=<24h, ...)."""
    words = []
    for key in FILTER_MENUS:
        value = "".join(params.get(f"f_{key}", "").split())[:100]
        if value:
            words.append(f"{key}:{value}")
    for key in TIME_MENUS:
        value = params.get(f"f_{key}", "")
        if value in TIME_CHOICES:
            words.append(f"{key}{value}")
    return " ".join(words)


@login_required
def ticket_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    ticket = access_ticket(request.user, workspace, number)
    return render(
        request, "tickets/ticket.html", _ticket_context(request.user, workspace, membership, ticket)
    )


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in (403, 409, 413, 415, 422) else 422


def _choices(workspace: Workspace) -> dict:
    """The options of the property and bulk-action menus."""
    return {
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "agents": _agents(workspace),
        "teams": Team.objects.filter(workspace=workspace).order_by("name"),
        "macros": list(Macro.objects.filter(workspace=workspace).order_by("name")),
    }


def _field_definitions(workspace: Workspace) -> list[CustomField]:
    return list(CustomField.objects.filter(workspace=workspace))


def _agents(workspace: Workspace):
    return [m.user for m in agent_memberships(workspace).order_by("user__name", "user__email")]


def _ticket_context(
    user,
    workspace,
    membership,
    ticket,
    *,
    definitions=None,
    field_values=None,
    field_errors=None,
    **extra,
) -> dict:
    live_since = realtime.live_since()  # the ticket itself was read a moment earlier
    entries = timeline(ticket)
    choices = _choices(workspace)
    definitions = definitions or _field_definitions(workspace)
    return {
        "workspace": workspace,
        "membership": membership,
        "can_write": membership.has_role(Role.AGENT),
        "ticket": ticket,
        "live_since": live_since,
        "timeline": entries,
        # The newest message the page shows, for the "someone replied meanwhile" check.
        "last_message_id": max((e.message.pk for e in entries if e.message), default=0),
        **choices,
        "macro_texts": [
            (m.name, services.render_macro_body(m, ticket, Actor.of(user)))
            for m in choices["macros"]
            if m.body
        ],
        **hooks.ticket_page_context(user, workspace, ticket),
        "tags": ", ".join(sorted(t.name for t in ticket.tags.all())),
        "shown_properties": json.dumps(_property_values(None, definitions, ticket)),
        "custom_field_rows": form_rows(
            definitions,
            ticket.custom_fields if field_values is None else field_values,
            field_errors,
        ),
        "other_tickets": visible_tickets(user, workspace)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")[:5],
        **extra,
    }


@login_required
@require_POST
def ticket_reply(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A public reply or an internal note, optionally after applying a macro. On an error
    the page comes back with what the agent wrote, so nothing is lost."""
    workspace, membership = workspace_member(request.user, slug)
    ticket = access_ticket(request.user, workspace, number, write=True)
    by = Actor.of(request.user)
    body = request.POST.get("body", "")
    kind = request.POST.get("kind", "reply")
    status = request.POST.get("status") or None
    collision = None if request.POST.get("confirm") else _replied_meanwhile(request, ticket)
    if kind == "reply" and collision:
        context = _ticket_context(
            request.user,
            workspace,
            membership,
            ticket,
            draft=body,
            draft_kind=kind,
            collision=collision,
        )
        return render(request, "tickets/ticket.html", context, status=409)
    try:
        if kind not in ("reply", "note"):
            raise ServiceError("Choose a reply or an internal note")
        with transaction.atomic():
            files = [
                services.store_attachment(workspace, f, by=request.user)
                for f in request.FILES.getlist("attachments")[:MAX_FILES]
            ]
            if kind == "note":
                services.add_note(ticket, by=by, body=body, attachments=files)
            else:
                services.reply(ticket, by=by, body=body, status=status, attachments=files)
    except ServiceError as exc:
        context = _ticket_context(
            request.user, workspace, membership, ticket, draft=body, draft_kind=kind, error=str(exc)
        )
        return render(request, "tickets/ticket.html", context, status=_status(exc))
    messages.success(request, "Note added" if kind == "note" else "Reply sent")
    return redirect("ticket", slug=slug, number=number)


@login_required
@require_POST
def ticket_update(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The properties sidebar: status, priority, assignee, team, tags, custom fields.

    Only what the agent changed is saved: the form carries the values it showed
    (`shown`), so a field someone else changed meanwhile is kept (merged), and a field both
    changed comes back with a warning instead of being overwritten silently. On an error
    the page comes back with what the agent chose and the error by the field."""
    workspace, membership = workspace_member(request.user, slug)
    ticket = access_ticket(request.user, workspace, number, write=True)
    post = request.POST
    definitions = _field_definitions(workspace)
    posted = _property_values(post, definitions)
    if "shown" in post:
        try:
            shown = json.loads(post["shown"])
        except ValueError:
            shown = {}
        current = _property_values(None, definitions, ticket)
        mine = {k for k, v in posted.items() if k in shown and v != shown[k]}
        clashes = sorted(k for k in mine if current.get(k) != shown[k])
        if clashes:
            names = ", ".join(_property_label(k, definitions) for k in clashes)
            context = _ticket_context(
                request.user,
                workspace,
                membership,
                ticket,
                property_error=f"Someone else changed {names} while you were looking. "
                "Your change to it was not saved: here is the ticket as it is now.",
            )
            return render(request, "tickets/ticket.html", context, status=409)
        post = _only_keys(post, {k for k in posted if k not in shown or k in mine})
    changes: dict = {}
    for name in ("status", "priority"):
        if post.get(name):
            changes[name] = post[name]
    if "assignee" in post:
        changes["assignee"] = _agent(workspace, post["assignee"])
    if "team" in post:
        changes["team"] = (
            get_object_or_404(Team, workspace=workspace, pk=post["team"]) if post["team"] else None
        )
    if "tags" in post:
        changes["tags"] = [t for t in (s.strip() for s in post["tags"].split(",")) if t]
    if fields := form_values(definitions, post):
        changes["custom_fields"] = fields
    try:
        services.update_ticket(ticket, by=Actor.of(request.user), changes=changes)
    except ServiceError as exc:
        context = _ticket_context(
            request.user,
            workspace,
            membership,
            ticket,
            property_error=exc.message if form_errors(exc) else str(exc),
            definitions=definitions,
            field_values={**ticket.custom_fields, **fields},
            field_errors=form_errors(exc),
        )
        return render(request, "tickets/ticket.html", context, status=422)
    if not realtime.is_live_fetch(request):  # the sidebar saved in place says "Saved"
        messages.success(request, "Ticket updated")
    return redirect("ticket", slug=slug, number=number)


PROPERTIES = ("status", "priority", "assignee", "team", "tags")


def _property_values(post, definitions, ticket=None) -> dict:
    """The sidebar's values as comparable strings (lists for multi-choice fields): from a
    posted form, or, with `ticket`, as the ticket has them now."""
    if ticket is not None:
        values = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": str(ticket.assignee_id or ""),
            "team": str(ticket.team_id or ""),
            "tags": ", ".join(sorted(t.name for t in ticket.tags.all())),
        }
        for d in definitions:
            value = ticket.custom_fields.get(d.key)
            if d.type == CustomField.Type.MULTISELECT:
                values[FORM_PREFIX + d.key] = sorted(value or [])
            elif d.type == CustomField.Type.BOOLEAN:
                values[FORM_PREFIX + d.key] = {True: "yes", False: "no"}.get(value, "")
            else:
                values[FORM_PREFIX + d.key] = "" if value is None else str(value)
        return values
    values = {k: post[k].strip() for k in PROPERTIES if k in post}
    if "tags" in values:
        values["tags"] = ", ".join(
            sorted({t.strip() for t in values["tags"].split(",") if t.strip()})
        )
    for d in definitions:
        name = FORM_PREFIX + d.key
        if d.type == CustomField.Type.MULTISELECT:
            if name + "__present" in post:
                values[name] = sorted(post.getlist(name))
        elif name in post:
            values[name] = post[name].strip()
    return values


def _property_label(key: str, definitions) -> str:
    labels = {FORM_PREFIX + d.key: d.label for d in definitions}
    return labels.get(key, key)


def _only_keys(post, keys: set[str]):
    """A copy of the form with only these properties (and what goes with them)."""
    kept = post.copy()
    for name in list(kept):
        base = name.removesuffix("__present")
        if (base in PROPERTIES or base.startswith(FORM_PREFIX)) and base not in keys:
            del kept[name]
    return kept


@login_required
@require_POST
def ticket_macro(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug)
    ticket = access_ticket(request.user, workspace, number, write=True)
    macro = get_object_or_404(Macro, workspace=workspace, pk=request.POST.get("macro") or 0)
    try:
        services.apply_macro(ticket, macro, by=Actor.of(request.user))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Applied “{macro.name}”")
    return redirect("ticket", slug=slug, number=number)


@login_required
@require_POST
def ticket_merge(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Fold this ticket into another one (a duplicate from the same customer, say)."""
    workspace, _ = workspace_member(request.user, slug)
    source = access_ticket(request.user, workspace, number, write=True)
    raw = request.POST.get("target", "").strip().lstrip("#")
    if not raw.isdigit():
        messages.error(request, "Type the number of the ticket to merge into, like 1234")
        return redirect("ticket", slug=slug, number=number)
    try:
        target = access_ticket(request.user, workspace, int(raw), write=True)
    except Http404:
        messages.error(request, f"There is no ticket #{raw} that you can see")
        return redirect("ticket", slug=slug, number=number)
    try:
        services.merge_tickets(source, target, by=Actor.of(request.user))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("ticket", slug=slug, number=number)
    messages.success(request, f"Merged #{number} into this ticket")
    return redirect("ticket", slug=slug, number=target.number)


@login_required
@require_POST
def bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Bulk actions on the tickets ticked in the inbox: status, priority, assignee, team,
    a tag to add, a macro; each ticket goes through the same services, one by one."""
    workspace, _ = workspace_member(request.user, slug, Role.AGENT)
    back = request.POST.get("next", "")
    if not back.startswith(f"/w/{slug}/"):
        back = reverse("inbox", args=[slug])
    numbers = [int(n) for n in request.POST.getlist("numbers") if n.isdigit()]
    post = request.POST
    changes: dict = {}
    for name in ("status", "priority"):
        if post.get(name):
            changes[name] = post[name]
    if post.get("assignee"):
        changes["assignee"] = (
            None if post["assignee"] == "none" else _agent(workspace, post["assignee"])
        )
    if post.get("team"):
        changes["team"] = (
            None
            if post["team"] == "none"
            else get_object_or_404(Team, workspace=workspace, pk=post["team"])
        )
    if post.get("add_tag", "").strip():
        changes["add_tags"] = [post["add_tag"].strip()]
    macro = (
        get_object_or_404(Macro, workspace=workspace, pk=post["macro"])
        if post.get("macro")
        else None
    )
    if not numbers or not (changes or macro):
        messages.error(request, "Tick some tickets and choose what to change")
        return redirect(back)
    found = visible_tickets(request.user, workspace).filter(number__in=numbers)
    result = services.bulk_update(
        list(found.select_related("workspace")),
        by=Actor.of(request.user),
        changes=changes,
        macro=macro,
    )
    if result.updated:
        messages.success(
            request,
            f"Updated {len(result.updated)} ticket{'s' if len(result.updated) != 1 else ''}",
        )
    for number, exc in result.failed:
        messages.error(request, f"#{number}: {exc}")
    return redirect(back)


def _replied_meanwhile(request: HttpRequest, ticket) -> str | None:
    """A warning when someone else answered the customer after the agent opened the page."""
    seen = request.POST.get("seen", "")
    if not seen.isdigit():
        return None
    newer = (
        ticket.messages.filter(pk__gt=int(seen), visibility=Message.Visibility.PUBLIC)
        .exclude(author_user=request.user)
        .select_related("author_user", "author_customer")
        .order_by("-pk")
        .first()
    )
    if newer is None:
        return None
    who = newer.author_user or newer.author_customer
    name = getattr(who, "display_name", None) or getattr(who, "name", "") or "Someone"
    if newer.author_type == Message.Author.CUSTOMER:
        return (
            f"{name} (the customer) wrote again while you were writing. "
            "Read it above, then send anyway or change your reply."
        )
    return (
        f"{name} replied while you were writing. "
        "Read their reply above, then send anyway or change yours."
    )


def _agent(workspace: Workspace, user_id: str):
    if not user_id:
        return None
    m = (
        Membership.objects.filter(workspace=workspace, user_id=user_id)
        .select_related("user")
        .first()
        if user_id.isdigit()
        else None
    )
    if m is None:
        raise Http404("No such member")
    return m.user


def inline_image(request: HttpRequest, token: str) -> HttpResponse:
    """An email's inline image, by the signed link written into its message's HTML."""
    from frontline.tickets.services.attachments import inline_response

    return inline_response(token)
