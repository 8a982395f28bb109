"""The email log for admins: every received message with what became of it; failed
ones show their error and can be processed again; any one can be read raw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role
from frontline.email import inbound
from frontline.email.models import InboundEmail


@login_required
def email_log(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    state = request.GET.get("state", "")
    emails = InboundEmail.objects.filter(workspace=workspace).select_related("ticket").defer("raw")
    if state in InboundEmail.State.values:
        emails = emails.filter(state=state)
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "email/log.html",
        {
            "workspace": workspace,
            "membership": membership,
            "page": page,
            "state": state,
            "states": InboundEmail.State.choices,
            "failed": InboundEmail.objects.filter(
                workspace=workspace, state=InboundEmail.State.FAILED
            ).count(),
        },
    )


@login_required
def email_raw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The message exactly as received, as plain text (never rendered as HTML)."""
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    stored = get_object_or_404(InboundEmail, workspace=workspace, pk=pk)
    response = HttpResponse(bytes(stored.raw), content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def email_retry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    stored = get_object_or_404(InboundEmail, workspace=workspace, pk=pk)
    result = inbound.reprocess(stored)
    if result.state == InboundEmail.State.FAILED:
        messages.error(request, f"Still failing: {result.error}")
    else:
        messages.success(request, f"Processed: {result.get_state_display().lower()}")
    return redirect("email_log", slug=slug)


@login_required
def message_original(request: HttpRequest, slug: str, number: int, message_id: int) -> HttpResponse:
    """The whole email behind a ticket message (the stored reply has quoted history and
    signature removed): everything the sender wrote, with its headers, as text. For
    anyone who may see the ticket; the raw source stays with admins (the email log)."""
    from frontline.email import parsing
    from frontline.tickets.access import access_ticket

    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    ticket = access_ticket(request.user, workspace, number)
    stored = get_object_or_404(
        InboundEmail, workspace=workspace, message_id=message_id, message__ticket=ticket
    )
    parsed = parsing.parse(bytes(stored.raw))
    return render(
        request,
        "email/original.html",
        {
            "workspace": workspace,
            "membership": membership,
            "ticket": ticket,
            "stored": stored,
            "mail": parsed,
            "is_admin": membership.role in (Role.OWNER, Role.ADMIN),
        },
    )
