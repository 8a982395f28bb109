"""Mailbox settings for owners and admins: connect an IMAP mailbox, see how its fetching
goes, test the connection, fetch now, change or remove it. Each form calls one service
from `mailboxes.py`; a rejected form comes back filled in (except the password)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role
from frontline.email import imap, mailboxes
from frontline.email.models import Mailbox
from frontline.email.tasks import fetch_mailbox
from frontline.lib.errors import ServiceError
from frontline.tickets.events import Actor

TEXT_FIELDS = (
    "name", "address", "host", "security", "username", "auth", "folder", "oauth_token_url",
    "oauth_client_id",
)  # fmt: skip
SECRET_FIELDS = ("secret", "oauth_client_secret", "oauth_refresh_token")


def _form_data(request: HttpRequest) -> dict:
    """The posted form as service fields; numbers that are not numbers stay text so the
    service names the field in its error. An empty password means "keep the old one"."""
    post = request.POST
    data = {key: post.get(key, "") for key in TEXT_FIELDS}
    for key in ("port", "poll_seconds"):
        raw = post.get(key, "").strip()
        data[key] = int(raw) if raw.isdigit() else raw
    data["enabled"] = post.get("enabled") == "on"
    for key in SECRET_FIELDS:  # never shown again: empty means "keep the stored one"
        if post.get(key):
            data[key] = post[key]
    return data


def _render(request, workspace, membership, *, mailbox=None, form=None, status=200):
    context = {
        "workspace": workspace,
        "membership": membership,
        "mailbox": mailbox,
        "form": form,
        "securities": Mailbox.Security.choices,
        "auths": Mailbox.Auth.choices,
        "min_poll": mailboxes.MIN_POLL_SECONDS,
    }
    if mailbox is None:
        context["mailboxes"] = Mailbox.objects.filter(workspace=workspace)
    template = "email/mailbox.html" if mailbox else "email/mailboxes.html"
    return render(request, template, context, status=status)


def _check_message(request: HttpRequest, mailbox: Mailbox, saved: str) -> None:
    try:
        messages.success(request, f"{saved} {imap.check(mailbox)}")
    except ConnectionError as exc:
        messages.warning(request, f"{saved} But it could not connect: {exc}")


@login_required
def mailbox_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    if request.method != "POST":
        return _render(request, workspace, membership)
    data = _form_data(request)
    try:
        mailbox = mailboxes.create_mailbox(workspace, by=Actor.of(request.user), **data)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return _render(request, workspace, membership, form=data, status=422)
    _check_message(request, mailbox, f"{mailbox.address} connected.")
    return redirect("mailbox", slug=slug, pk=mailbox.pk)


@login_required
def mailbox_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    mailbox = get_object_or_404(Mailbox, workspace=workspace, pk=pk)
    if request.method != "POST":
        return _render(request, workspace, membership, mailbox=mailbox)
    data = _form_data(request)
    try:
        mailboxes.update_mailbox(mailbox, by=Actor.of(request.user), changes=data)
    except ServiceError as exc:
        messages.error(request, str(exc))
        mailbox.refresh_from_db()
        return _render(request, workspace, membership, mailbox=mailbox, form=data, status=422)
    _check_message(request, mailbox, "Saved.")
    return redirect("mailbox", slug=slug, pk=pk)


@login_required
@require_POST
def mailbox_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    mailbox = get_object_or_404(Mailbox, workspace=workspace, pk=pk)
    if action == "check":
        _check_message(request, mailbox, "")
    elif action == "fetch":
        fetch_mailbox.enqueue(mailbox.pk)
        messages.success(request, "Fetching now: new mail appears in the inbox in a moment.")
    elif action == "delete":
        if request.POST.get("sure") != "on":
            messages.error(request, "Tick the box to confirm the removal.")
            return redirect("mailbox", slug=slug, pk=pk)
        mailboxes.delete_mailbox(mailbox, by=Actor.of(request.user))
        messages.success(request, f"{mailbox.address} removed; its tickets stay.")
        return redirect("mailboxes", slug=slug)
    else:
        return HttpResponse("Unknown action", status=404)
    return redirect("mailbox", slug=slug, pk=pk)
