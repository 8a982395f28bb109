"""Email settings for owners and admins: who may write (block and allow lists, the limit
per sender), the inbound webhook's address and the notification templates. Each form
calls one service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role
from frontline.email import notifications, rules
from frontline.lib.errors import ServiceError
from frontline.tickets.events import Actor


def webhook_url(token: str) -> str:
    return settings.FRONTLINE_BASE_URL.rstrip("/") + reverse("email_webhook", args=[token])


def _render(request, workspace, membership, *, status=200, **extra) -> HttpResponse:
    context = {
        "workspace": workspace,
        "membership": membership,
        "rules": rules.settings_for(workspace),
        "url_pattern": webhook_url("TOKEN"),
        "templates": notifications.all_templates(workspace),
        "placeholders": notifications.PLACEHOLDERS,
        **extra,
    }
    return render(request, "email/settings.html", context, status=status)


@login_required
def email_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    return _render(request, workspace, membership)


@login_required
@require_POST
def email_settings_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.ADMIN)
    by = Actor.of(request.user)
    if action == "rules":
        raw_limit = request.POST.get("sender_limit_per_hour", "").strip()
        try:
            rules.update_rules(
                workspace,
                by=by,
                blocked_senders=request.POST.get("blocked_senders", ""),
                allowed_senders=request.POST.get("allowed_senders", ""),
                sender_limit_per_hour=int(raw_limit) if raw_limit.isdigit() else raw_limit,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return _render(request, workspace, membership, status=422, form=request.POST)
        messages.success(request, "Sender rules saved")
    elif action == "notification":
        kind = request.POST.get("kind", "")
        try:
            if request.POST.get("reset"):
                notifications.reset_template(workspace, kind, by=by)
                messages.success(request, "Notification back to the default wording")
            else:
                notifications.save_template(
                    workspace,
                    kind,
                    by=by,
                    enabled=request.POST.get("enabled") == "on",
                    subject=request.POST.get("subject", ""),
                    body=request.POST.get("body", ""),
                )
                messages.success(request, "Notification saved")
        except ServiceError as exc:
            messages.error(request, str(exc))
            return _render(request, workspace, membership, status=422, template_form=request.POST)
        return redirect(reverse("email_settings", args=[slug]) + f"#n-{kind}")
    elif action == "webhook-token":
        token = rules.new_webhook_token(workspace, by=by)
        # Shown once, on this response only (never stored in plain text).
        return _render(request, workspace, membership, new_url=webhook_url(token))
    elif action == "webhook-revoke":
        rules.revoke_webhook_token(workspace, by=by)
        messages.success(request, "The webhook address no longer works")
    else:
        return HttpResponse("Unknown action", status=404)
    return redirect("email_settings", slug=slug)
