"""Workspace settings: profile, business hours, logo, members and invitations, teams,
tags, custom fields, macros, shared views (owners and admins), and each member's own
views, two-factor sign-in and API tokens. One page; every form posts to one action,
which calls one service and comes back with a message."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontline.accounts import business_hours, two_factor
from frontline.accounts import services as accounts
from frontline.accounts.access import agent_memberships, require_role, workspace_member
from frontline.accounts.models import ApiToken, Membership, Role, Workspace
from frontline.lib.errors import ServiceError, invalid
from frontline.lib.streaming import file_chunks
from frontline.tickets import portability
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import (
    CustomField,
    Macro,
    SavedView,
    Status,
    Tag,
    Team,
    WorkspaceExport,
)
from frontline.tickets.services.config import CHOICE_TYPES, VIEW_ORDERS

ORDER_LABELS = {
    "-updated_at": "Recently updated first",
    "updated_at": "Longest untouched first",
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "-priority": "Most urgent first",
    "priority": "Least urgent first",
    "-number": "Highest number first",
    "number": "Lowest number first",
}


def _page(request, workspace, membership, **extra) -> HttpResponse:
    admin = membership.has_role(Role.ADMIN)
    context = {
        "workspace": workspace,
        "membership": membership,
        "is_admin": admin,
        "two_factor_on": two_factor.is_enabled(request.user),
        "two_factor_setup": (
            two_factor.setup_details(device)
            if (device := two_factor.pending_device(request.user))
            else None
        ),
        "my_views": SavedView.objects.filter(workspace=workspace, owner=request.user),
        "view_orders": [(o, ORDER_LABELS[o]) for o in VIEW_ORDERS],
        "tokens": ApiToken.objects.filter(
            workspace=workspace, user=request.user, revoked_at__isnull=True
        ).order_by("-created_at"),
        **extra,
    }
    if membership.has_role(Role.OWNER):
        context["exports"] = WorkspaceExport.objects.filter(workspace=workspace)[:5]
        context["keep_days"] = WorkspaceExport.KEEP_DAYS
    if admin:
        context |= {
            "members": Membership.objects.filter(workspace=workspace)
            .select_related("user")
            .order_by("user__name", "user__email"),
            "roles": Role.choices,
            "teams": Team.objects.filter(workspace=workspace)
            .prefetch_related("members")
            .order_by("name"),
            "tags": Tag.objects.filter(workspace=workspace).order_by("name"),
            "macros": Macro.objects.filter(workspace=workspace).order_by("name"),
            "fields": CustomField.objects.filter(workspace=workspace),
            "field_types": CustomField.Type.choices,
            "shared_views": SavedView.objects.filter(workspace=workspace, owner__isnull=True),
            "hours": [
                (day, business_hours.DAY_NAMES[day], text)
                for day, text in business_hours.as_text(workspace.business_hours).items()
            ],
            "statuses": Status.choices,
            "time_zones": sorted(zoneinfo.available_timezones()),
            "visibilities": Workspace.TicketVisibility.choices,
        }
    return render(request, "accounts/settings.html", context)


@login_required
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    return _page(request, workspace, membership)


@login_required
@require_POST
def settings_action(request: HttpRequest, slug: str, action: str, pk: int | None = None):
    workspace, membership = workspace_member(request.user, slug)
    handler = ACTIONS.get(action)
    if handler is None:
        raise PermissionDenied("Unknown action")
    if action not in PERSONAL and not membership.has_role(Role.ADMIN):
        raise PermissionDenied("This needs the admin role or higher")
    try:
        result = handler(request, workspace, pk)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("settings", slug=slug)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, result)
    return redirect("settings", slug=slug)


def _by(request) -> Actor:
    return Actor.of(request.user)


def _save_workspace(request, workspace, pk):
    post = request.POST
    accounts.update_workspace(
        workspace,
        name=post.get("name", ""),
        time_zone=post.get("time_zone", ""),
        agent_ticket_visibility=post.get("agent_ticket_visibility", ""),
    )
    return "Workspace saved"


def _save_hours(request, workspace, pk):
    texts = {day: request.POST.get(f"hours_{day}", "") for day in business_hours.DAYS}
    accounts.update_workspace(workspace, business_hours=business_hours.from_text(texts))
    return "Business hours saved"


def _upload_logo(request, workspace, pk):
    upload = request.FILES.get("logo")
    if upload is None:
        raise ServiceError("Choose an image file for the logo")
    accounts.set_logo(workspace, upload)
    return "Logo saved"


def _export(request, workspace, pk):
    workspace_member(request.user, workspace.slug, Role.OWNER)
    portability.request_export(workspace, by=request.user)
    return "The export is being written; it is listed below when it is ready"


@login_required
def export_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An owner downloads a finished export (streamed in chunks, never held in memory)."""
    workspace, _ = workspace_member(request.user, slug, Role.OWNER)
    export = get_object_or_404(
        WorkspaceExport, workspace=workspace, pk=pk, state=WorkspaceExport.State.DONE
    )
    response = StreamingHttpResponse(file_chunks(export.file), content_type="application/jsonl")
    name = f"frontline-{workspace.slug}-{export.created_at:%Y-%m-%d}.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(export.size)
    return response


def _remove_logo(request, workspace, pk):
    accounts.remove_logo(workspace)
    return "Logo removed"


def _check_owner_rights(request, workspace, role: str, target: Membership | None = None):
    # Only owners make owners or change an owner's role.
    touches_owner = role == Role.OWNER or (target is not None and target.role == Role.OWNER)
    if touches_owner and not require_role(request.user, workspace).has_role(Role.OWNER):
        raise ServiceError("Only an owner can give or take the owner role", status=403)


def _invite(request, workspace, pk):
    role = request.POST.get("role", Role.AGENT)
    _check_owner_rights(request, workspace, role)
    m = accounts.invite_member(
        workspace,
        request.POST.get("email", ""),
        name=request.POST.get("name", ""),
        role=role,
        invited_by=request.user,
    )
    return f"Invited {m.user.email} as {m.get_role_display().lower()}"


def _member(workspace, pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), workspace=workspace, pk=pk)


def _change_role(request, workspace, pk):
    m = _member(workspace, pk)
    role = request.POST.get("role", "")
    _check_owner_rights(request, workspace, role, m)
    accounts.change_role(m, role)
    return f"{m.user.display_name} is now {m.get_role_display().lower()}"


def _remove_member(request, workspace, pk):
    m = _member(workspace, pk)
    _check_owner_rights(request, workspace, m.role, m)
    accounts.remove_member(m)
    return f"Removed {m.user.display_name} from the workspace"


def _create_team(request, workspace, pk):
    team = tickets.create_team(workspace, by=_by(request), name=request.POST.get("name", ""))
    return f"Team {team.name} created"


def _team_members(request, workspace, pk):
    team = get_object_or_404(Team, workspace=workspace, pk=pk)
    ids = [int(i) for i in request.POST.getlist("members") if i.isdigit()]
    members = [m.user for m in agent_memberships(workspace).filter(user_id__in=ids)]
    lead_id = request.POST.get("lead", "")
    lead = next((m for m in members if str(m.pk) == lead_id), None) if lead_id else None
    if lead_id and lead is None:
        raise invalid("lead", "The lead must be one of the team's members")
    with transaction.atomic():
        tickets.set_team_members(team, members, by=_by(request))
        if lead != team.lead:
            tickets.set_team_lead(team, lead, by=_by(request))
    lead_text = f", led by {lead.display_name}" if lead else ""
    return f"{team.name} has {len(members)} member{'s' if len(members) != 1 else ''}{lead_text}"


def _delete_team(request, workspace, pk):
    team = get_object_or_404(Team, workspace=workspace, pk=pk)
    tickets.delete_team(team, by=_by(request))
    return f"Team {team.name} deleted; its tickets keep their other fields"


def _create_tag(request, workspace, pk):
    tag = tickets.create_tag(workspace, by=_by(request), name=request.POST.get("name", ""))
    return f"Tag {tag.name} created"


def _delete_tag(request, workspace, pk):
    tag = get_object_or_404(Tag, workspace=workspace, pk=pk)
    tickets.delete_tag(tag, by=_by(request))
    return f"Tag {tag.name} deleted"


def _create_macro(request, workspace, pk):
    post = request.POST
    actions = {"status": post["status"]} if post.get("status") else {}
    if post.get("add_tag", "").strip():
        actions["add_tags"] = [post["add_tag"].strip()]
    macro = tickets.create_macro(
        workspace,
        by=_by(request),
        name=post.get("name", ""),
        body=post.get("body", ""),
        visibility=post.get("visibility") or "public",
        actions=actions,
    )
    return f"Macro {macro.name} created"


def _delete_macro(request, workspace, pk):
    macro = get_object_or_404(Macro, workspace=workspace, pk=pk)
    tickets.delete_macro(macro, by=_by(request))
    return f"Macro {macro.name} deleted"


def _choices(text: str) -> list[str]:
    return [c.strip() for c in text.replace("\n", ",").split(",") if c.strip()]


def _field_form(post, *, new: bool) -> dict:
    data = {
        "label": post.get("label", ""),
        "required": post.get("required") == "on",
        "public": post.get("public") == "on",
    }
    kind = post.get("type", CustomField.Type.TEXT) if new else None
    if new:
        data["type"] = kind
    if "choices" in post and (not new or kind in CHOICE_TYPES):
        data["choices"] = _choices(post["choices"])
    return data


def _create_field(request, workspace, pk):
    field = tickets.create_custom_field(
        workspace,
        by=_by(request),
        key=request.POST.get("key", ""),
        **_field_form(request.POST, new=True),
    )
    return f"Field {field.label} created (key {field.key})"


def _update_field(request, workspace, pk):
    field = get_object_or_404(CustomField, workspace=workspace, pk=pk)
    changes = _field_form(request.POST, new=False)
    if field.type not in CHOICE_TYPES:
        changes.pop("choices", None)
    tickets.update_custom_field(field, by=_by(request), changes=changes)
    return f"Field {field.label} saved"


def _delete_field(request, workspace, pk):
    field = get_object_or_404(CustomField, workspace=workspace, pk=pk)
    tickets.delete_custom_field(field, by=_by(request))
    return f"Field {field.label} deleted; tickets keep the values they had"


def _create_view(request, workspace, pk):
    post = request.POST
    shared = post.get("shared") == "on"
    if shared and not require_role(request.user, workspace).has_role(Role.ADMIN):
        raise ServiceError("Only admins share views with the whole workspace", status=403)
    view = tickets.create_view(
        workspace,
        by=_by(request),
        shared=shared,
        name=post.get("name", ""),
        query=post.get("query", ""),
        # The inbox may be sorted by something a view cannot keep (such as relevance).
        order=post["order"] if post.get("order") in VIEW_ORDERS else "-updated_at",
    )
    if post.get("open"):  # saved from the inbox: show the new view
        messages.success(request, f"View {view.name} saved")
        return redirect(f"{reverse('inbox', args=[workspace.slug])}?view=v{view.pk}")
    return f"View {view.name} saved"


def _delete_view(request, workspace, pk):
    view = get_object_or_404(SavedView, workspace=workspace, pk=pk)
    if view.owner_id != request.user.pk and not (
        view.owner_id is None and require_role(request.user, workspace).has_role(Role.ADMIN)
    ):
        raise PermissionDenied("Not your view")
    tickets.delete_view(view, by=_by(request))
    return f"View {view.name} deleted"


def _create_token(request, workspace, pk):
    membership = require_role(request.user, workspace)
    _, secret = accounts.create_api_token(workspace, request.user, request.POST.get("name", ""))
    # Shown once, on this answer only (not stored in the session or a message).
    return _page(request, workspace, membership, new_token=secret)


def _revoke_token(request, workspace, pk):
    token = get_object_or_404(ApiToken, workspace=workspace, user=request.user, pk=pk)
    accounts.revoke_api_token(token)
    return f"Token {token.name} revoked"


def _two_factor_start(request, workspace, pk):
    two_factor.start_setup(request.user)
    return "Scan the code with your authenticator app, then enter the 6 digits it shows"


def _two_factor_confirm(request, workspace, pk):
    two_factor.confirm_setup(request.user, request.POST.get("code", ""))
    return "Two-factor sign-in is on: you will be asked for a code when you sign in"


def _two_factor_disable(request, workspace, pk):
    two_factor.disable(request.user, request.POST.get("password", ""))
    return "Two-factor sign-in is off"


ACTIONS = {
    "workspace": _save_workspace,
    "export": _export,
    "invite": _invite,
    "role": _change_role,
    "remove": _remove_member,
    "team": _create_team,
    "team-members": _team_members,
    "team-delete": _delete_team,
    "tag": _create_tag,
    "tag-delete": _delete_tag,
    "macro": _create_macro,
    "macro-delete": _delete_macro,
    "hours": _save_hours,
    "logo": _upload_logo,
    "logo-remove": _remove_logo,
    "field": _create_field,
    "field-update": _update_field,
    "field-delete": _delete_field,
    "view": _create_view,
    "view-delete": _delete_view,
    "token": _create_token,
    "token-revoke": _revoke_token,
    "2fa-start": _two_factor_start,
    "2fa-confirm": _two_factor_confirm,
    "2fa-disable": _two_factor_disable,
}
# Every member manages their own API tokens, two-factor sign-in and views (sharing a
# view and deleting a shared one need the admin role: checked in the handlers).
PERSONAL = {
    "token",
    "token-revoke",
    "2fa-start",
    "2fa-confirm",
    "2fa-disable",
    "view",
    "view-delete",
}
