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
