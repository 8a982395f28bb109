"""Workspace configuration: teams, tags, custom fields, macros and saved views."""

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from frontline.accounts.models import ROLE_RANK, Membership, Role, User, Workspace
from frontline.lib import cached
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import (
    CustomField,
    Macro,
    Message,
    Priority,
    SavedView,
    Status,
    Tag,
    Team,
)
from frontline.tickets.services.rows import (
    clean_text,
    delete_logged,
    only_fields,
    save_logged,
    update_logged,
)

# ---- teams -----------------------------------------------------------------------------


def teams_of(workspace_id: int) -> list[Team]:
    """The workspace's teams, from lib.cached (read on every create that names a team)."""
    return cached.read(
        f"teams:{workspace_id}", lambda: list(Team.objects.filter(workspace_id=workspace_id))
    )


def forget_cached_teams(sender, instance: Team, **kwargs) -> None:
    """Signal receiver (tickets.apps): teams change through several services; any save or
    delete drops the cached list, except the round-robin cursor's (on every assignment,
    and read with a row lock, never from the cache)."""
    if not cached.saved_only(kwargs, "last_assigned"):
        cached.forget(f"teams:{instance.workspace_id}")


def create_team(
    workspace: Workspace, *, by: Actor, name: str, slug: str = "", description: str = ""
) -> Team:
    data = {"name": name, "description": description}
    clean_text(data, "name", 100, required=True)
    slug = slugify(slug or data["name"])[:60]
    if not slug:
        raise invalid("slug", "must contain letters or digits")
    team = Team(workspace=workspace, slug=slug, **data)
    return save_logged(team, by, "team.created", after={"name": team.name, "slug": slug})


def update_team(team: Team, *, by: Actor, changes: dict[str, Any]) -> Team:
    data = only_fields(changes, {"name", "slug", "description"}, "team")
    clean_text(data, "name", 100)
    if "name" in data and not data["name"]:
        raise invalid("name", "must not be empty")
    if "slug" in data:
        data["slug"] = slugify(data["slug"])[:60]
        if not data["slug"]:
            raise invalid("slug", "must contain letters or digits")
    return update_logged(team, by, "team.updated", data)


def set_team_lead(team: Team, lead: User | None, *, by: Actor) -> Team:
    """The team's lead: an agent of the workspace (or none)."""
    if lead is not None and not Membership.objects.filter(
        workspace_id=team.workspace_id, user=lead,
        role__in=[r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role.AGENT]],
    ).exists():  # fmt: skip
        raise invalid("lead", "The lead must be an agent of this workspace")
    return update_logged(team, by, "team.lead", {"lead_id": lead.pk if lead else None})


def set_team_members(team: Team, members: list[User], *, by: Actor) -> Team:
    agent_ids = set(
        Membership.objects.filter(
            workspace_id=team.workspace_id,
            user__in=members,
            role__in=[r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role.AGENT]],
        ).values_list("user_id", flat=True)
    )
    strangers = [u.pk for u in members if u.pk not in agent_ids]
    if strangers:
        raise invalid("members", f"users {strangers} are not agents of this workspace")
    with transaction.atomic():
        before = sorted(team.members.values_list("pk", flat=True))
        team.members.set(members)
        record(
            [event(team.workspace_id, by, "team.members", before=before, after=sorted(agent_ids))]
        )
    return team


def delete_team(team: Team, *, by: Actor) -> None:
    delete_logged(team, by, "team.deleted")


# ---- tags ------------------------------------------------------------------------------


def create_tag(workspace: Workspace, *, by: Actor, name: str) -> Tag:
    name = (name or "").strip().lower().replace(" ", "-")
    if not name or len(name) > 60:
        raise invalid("name", "must be 1 to 60 characters")
    return save_logged(Tag(workspace=workspace, name=name), by, "tag.created", after={"name": name})


def delete_tag(tag: Tag, *, by: Actor) -> None:
    delete_logged(tag, by, "tag.deleted")


# ---- custom fields ---------------------------------------------------------------------

CHOICE_TYPES = (CustomField.Type.SELECT, CustomField.Type.MULTISELECT)


def _clean_field(data: dict[str, Any], current: CustomField | None = None) -> dict[str, Any]:
    clean_text(data, "label", 100)
    if "label" in data and not data["label"]:
        raise invalid("label", "must not be empty")
    if "type" in data and data["type"] not in CustomField.Type.values:
        raise invalid("type", f"must be one of: {', '.join(CustomField.Type.values)}")
    kind = data.get("type", current.type if current else CustomField.Type.TEXT)
    choices = data.get("choices", current.choices if current else [])
    if kind in CHOICE_TYPES:
        if (
            not isinstance(choices, list)
            or not choices
            or any(not isinstance(c, str) or not c.strip() for c in choices)
        ):
            raise invalid("choices", "a list field needs a non-empty list of text choices")
        if len(set(choices)) != len(choices):
            raise invalid("choices", "must not repeat")
    elif choices:
        raise invalid("choices", f"only {', '.join(CHOICE_TYPES)} fields have choices")
    return data


def create_custom_field(workspace: Workspace, *, by: Actor, **data: Any) -> CustomField:
    data = only_fields(
        data, {"key", "label", "type", "choices", "required", "public", "position"}, "custom field"
    )
    data = _clean_field(data)
    key = slugify(data.pop("key", "") or data.get("label", "")).replace("-", "_")[:60]
    if not key:
        raise invalid("key", "must contain letters or digits")
    return save_logged(
        CustomField(workspace=workspace, key=key, **data),
        by,
        "custom_field.created",
        after={"key": key},
    )


def update_custom_field(field: CustomField, *, by: Actor, changes: dict[str, Any]):
    # The key is what stored values refer to, so it cannot change.
    data = only_fields(
        changes, {"label", "type", "choices", "required", "public", "position"}, "custom field"
    )
    return update_logged(field, by, "custom_field.updated", _clean_field(data, field))


def delete_custom_field(field: CustomField, *, by: Actor) -> None:
    delete_logged(field, by, "custom_field.deleted")


# ---- macros ----------------------------------------------------------------------------

MACRO_ACTIONS = {
    "status",
    "priority",
    "assignee",
    "team",
    "add_tags",
    "remove_tags",
    "custom_fields",
}


def _clean_macro(ws_id: int, data: dict[str, Any]) -> dict[str, Any]:
    clean_text(data, "name", 120)
    if "name" in data and not data["name"]:
        raise invalid("name", "must not be empty")
    if "visibility" in data and data["visibility"] not in Message.Visibility.values:
        raise invalid("visibility", "must be public or internal")
    actions = data.get("actions")
    if actions is None:
        return data
    if not isinstance(actions, dict):
        raise invalid("actions", "must be an object")
    unknown = set(actions) - MACRO_ACTIONS
    if unknown:
        raise invalid("actions", f"unknown actions: {', '.join(sorted(unknown))}")
    if "status" in actions and actions["status"] not in Status.values:
        raise invalid("actions.status", f"must be one of: {', '.join(Status.values)}")
    if "priority" in actions and actions["priority"] not in Priority.values:
        raise invalid("actions.priority", f"must be one of: {', '.join(Priority.values)}")
    if (
        actions.get("team")
        and not Team.objects.filter(workspace_id=ws_id, slug=actions["team"]).exists()
    ):
        raise invalid("actions.team", "no team with this slug")
    if (
        actions.get("assignee")
        and not Membership.objects.filter(workspace_id=ws_id, user_id=actions["assignee"]).exists()
    ):
        raise invalid("actions.assignee", "is not a member of this workspace")
    for key in ("add_tags", "remove_tags"):
        if key in actions and not (
            isinstance(actions[key], list) and all(isinstance(t, str) for t in actions[key])
        ):
            raise invalid(f"actions.{key}", "must be a list of tag names")
    if "custom_fields" in actions:
        from frontline.tickets.fields import clean_custom_fields

        try:
            clean_custom_fields(ws_id, actions["custom_fields"])
        except ServiceError as exc:
            exc.details = [type(d)(f"actions.{d.field}", d.message) for d in exc.details]
            raise
    return data


def create_macro(workspace: Workspace, *, by: Actor, **data: Any) -> Macro:
    data = only_fields(
        data, {"name", "body", "visibility", "actions", "active", "position"}, "macro"
    )
    if not (data.get("name") or "").strip():
        raise invalid("name", "is required")
    data = _clean_macro(workspace.pk, data)
    return save_logged(
        Macro(workspace=workspace, **data), by, "macro.created", after={"name": data["name"]}
    )


def update_macro(macro: Macro, *, by: Actor, changes: dict[str, Any]) -> Macro:
    data = only_fields(
        changes, {"name", "body", "visibility", "actions", "active", "position"}, "macro"
    )
    return update_logged(macro, by, "macro.updated", _clean_macro(macro.workspace_id, data))


def delete_macro(macro: Macro, *, by: Actor) -> None:
    delete_logged(macro, by, "macro.deleted")


# ---- saved views -----------------------------------------------------------------------

VIEW_ORDERS = (
    "-updated_at",
    "updated_at",
    "-created_at",
    "created_at",
    "-priority",
    "priority",
    "-number",
    "number",
)


def _clean_view(data: dict[str, Any]) -> dict[str, Any]:
    clean_text(data, "name", 120)
    if "name" in data and not data["name"]:
        raise invalid("name", "must not be empty")
    clean_text(data, "query", 500)
    if "query" in data:
        from frontline.tickets.search import parse_query

        try:
            parse_query(data["query"])
        except ValueError as exc:
            raise invalid("query", str(exc)) from None
    if "order" in data and data["order"] not in VIEW_ORDERS:
        raise invalid("order", f"must be one of: {', '.join(VIEW_ORDERS)}")
    return data


def create_view(workspace: Workspace, *, by: Actor, shared: bool = False, **data: Any):
    data = _clean_view(only_fields(data, {"name", "query", "order", "position"}, "view"))
    if not data.get("name"):
        raise invalid("name", "is required")
    view = SavedView(workspace=workspace, owner=None if shared else by.user, **data)
    return save_logged(view, by, "view.created", after={"name": view.name})


def update_view(view: SavedView, *, by: Actor, changes: dict[str, Any]) -> SavedView:
    data = _clean_view(only_fields(changes, {"name", "query", "order", "position"}, "view"))
    return update_logged(view, by, "view.updated", data)


def delete_view(view: SavedView, *, by: Actor) -> None:
    delete_logged(view, by, "view.deleted")
