"""Workspace configuration: teams, tags, custom fields, macros and saved views.

Everyone in the workspace may read these; owners and admins change them (agents may
keep personal saved views). The five resources share one CRUD shape (`crud.py`).
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from frontline.accounts.models import Role
from frontline.api import out
from frontline.api.auth import Caller, caller
from frontline.api.common import get_or_404, member
from frontline.api.crud import ERRORS, crud
from frontline.api.schemas import In, TicketPage
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import CustomField, Macro, SavedView, Tag, Team
from frontline.tickets.search import find_tickets

router = Router()


# ---- shapes ------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    members: list[int]


class TeamIn(In):
    name: str
    slug: str = ""
    description: str = ""
    members: list[int | str] | None = Field(None, description="Member ids or emails")


class TeamPatch(In):
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    members: list[int | str] | None = None


class TagOut(Schema):
    id: int
    name: str


class TagIn(In):
    name: str


class FieldOut(Schema):
    id: int
    key: str
    label: str
    type: str
    choices: list[str]
    required: bool
    public: bool
    position: int


class FieldIn(In):
    key: str
    label: str
    type: str = "text"
    choices: list[str] = []
    required: bool = False
    public: bool = False
    position: int = 0


class FieldPatch(In):
    label: str | None = None
    type: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    public: bool | None = None
    position: int | None = None


class MacroOut(Schema):
    id: int
    name: str
    body: str
    visibility: str
    actions: dict[str, Any]
    active: bool
    position: int


class MacroIn(In):
    name: str
    body: str = ""
    visibility: str = "public"
    actions: dict[str, Any] = Field(
        {},
        description="status, priority, assignee (id/email), team (id/slug), "
        "add_tags, remove_tags, custom_fields",
    )
    active: bool = True
    position: int = 0


class MacroPatch(In):
    name: str | None = None
    body: str | None = None
    visibility: str | None = None
    actions: dict[str, Any] | None = None
    active: bool | None = None
    position: int | None = None


class ViewOut(Schema):
    id: int
    name: str
    query: str
    order: str
    shared: bool
    position: int


class ViewIn(In):
    name: str
    query: str = ""
    order: str = "-updated_at"
    shared: bool = Field(True, description="Shared with the workspace, or personal")
    position: int = 0


class ViewPatch(In):
    name: str | None = None
    query: str | None = None
    order: str | None = None
    position: int | None = None


# ---- one CRUD shape for all five -------------------------------------------------------------


def _admins_only(c: Caller, obj) -> None:
    c.require(Role.ADMIN)


def _by(c: Caller) -> Actor:
    return Actor.of(c.user)


# teams -----------------------------------------------------------------------------------


def _team_dict(t: Team) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "slug": t.slug,
        "description": t.description,
        "members": sorted(u.pk for u in t.members.all()),
    }


def _create_team(c: Caller, data: dict) -> Team:
    members = data.pop("members")
    t = services.create_team(c.workspace, by=_by(c), **data)
    if members is not None:
        services.set_team_members(t, [member(c, m, "members") for m in members], by=_by(c))
    return t


def _update_team(c: Caller, t: Team, data: dict) -> Team:
    members = data.pop("members", None)
    if data:
        services.update_team(t, by=_by(c), changes=data)
    if members is not None:
        services.set_team_members(t, [member(c, m, "members") for m in members], by=_by(c))
    return t


crud(
    router,
    "team",
    "teams",
    queryset=lambda c: (
        Team.objects.filter(workspace=c.workspace).prefetch_related("members").order_by("name")
    ),
    to_dict=_team_dict,
    schemas=(TeamOut, TeamIn, TeamPatch),
    create=_create_team,
    update=_update_team,
    delete=lambda c, t: services.delete_team(t, by=_by(c)),
    may_change=_admins_only,
)

# tags ------------------------------------------------------------------------------------


def _may_manage_tags(c: Caller, obj) -> None:
    # Agents create tags while tagging tickets anyway; removing one is an admin's call.
    c.require(Role.AGENT if obj is None else Role.ADMIN)


crud(
    router,
    "tag",
    "tags",
    queryset=lambda c: Tag.objects.filter(workspace=c.workspace).order_by("name"),
    to_dict=lambda t: {"id": t.pk, "name": t.name},
    schemas=(TagOut, TagIn, TagIn),
    create=lambda c, data: services.create_tag(c.workspace, by=_by(c), name=data["name"]),
    update=None,
    delete=lambda c, t: services.delete_tag(t, by=_by(c)),
    may_change=_may_manage_tags,
)

# custom fields ---------------------------------------------------------------------------

_FIELD_KEYS = ("id", "key", "label", "type", "choices", "required", "public", "position")

crud(
    router,
    "custom field",
    "custom-fields",
    queryset=lambda c: CustomField.objects.filter(workspace=c.workspace).order_by("position", "pk"),
    to_dict=lambda f: {k: getattr(f, "pk" if k == "id" else k) for k in _FIELD_KEYS},
    schemas=(FieldOut, FieldIn, FieldPatch),
    create=lambda c, data: services.create_custom_field(c.workspace, by=_by(c), **data),
    update=lambda c, f, data: services.update_custom_field(f, by=_by(c), changes=data),
    delete=lambda c, f: services.delete_custom_field(f, by=_by(c)),
    may_change=_admins_only,
)

# macros ----------------------------------------------------------------------------------

_MACRO_KEYS = ("id", "name", "body", "visibility", "actions", "active", "position")


def _macro_actions(c: Caller, data: dict) -> dict:
    actions = dict(data.get("actions") or {})
    if isinstance(actions.get("assignee"), str) and not actions["assignee"].isdigit():
        actions["assignee"] = member(c, actions["assignee"], "actions.assignee").pk
    # The service keeps the team's slug in the macro; an id is accepted as well.
    if isinstance(actions.get("team"), int) or str(actions.get("team", "")).isdigit():
        actions["team"] = get_or_404(
            Team.objects.filter(workspace=c.workspace), "No such team", pk=int(actions["team"])
        ).slug
    if "actions" in data:
        data["actions"] = actions
    return data


crud(
    router,
    "macro",
    "macros",
    queryset=lambda c: Macro.objects.filter(workspace=c.workspace).order_by("position", "name"),
    to_dict=lambda m: {k: getattr(m, "pk" if k == "id" else k) for k in _MACRO_KEYS},
    schemas=(MacroOut, MacroIn, MacroPatch),
    create=lambda c, data: services.create_macro(c.workspace, by=_by(c), **_macro_actions(c, data)),
    update=lambda c, m, data: services.update_macro(m, by=_by(c), changes=_macro_actions(c, data)),
    delete=lambda c, m: services.delete_macro(m, by=_by(c)),
    may_change=_admins_only,
)

# saved views -----------------------------------------------------------------------------


def _views(c: Caller) -> QuerySet:
    return SavedView.objects.filter(
        Q(owner__isnull=True) | Q(owner=c.user), workspace=c.workspace
    ).order_by("position", "name")


def _view_dict(v: SavedView) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "query": v.query,
        "order": v.order,
        "shared": v.owner_id is None,
        "position": v.position,
    }


def _may_change_view(c: Caller, view: SavedView | None) -> None:
    # Shared views are the admins'; anyone from agent up keeps personal ones.
    c.require(Role.AGENT)
    if view is not None and view.owner_id is None:
        c.require(Role.ADMIN)


def _create_view(c: Caller, data: dict) -> SavedView:
    if data["shared"]:
        c.require(Role.ADMIN)
    return services.create_view(c.workspace, by=_by(c), **data)


crud(
    router,
    "view",
    "views",
    queryset=_views,
    to_dict=_view_dict,
    schemas=(ViewOut, ViewIn, ViewPatch),
    create=_create_view,
    update=lambda c, v, data: services.update_view(v, by=_by(c), changes=data),
    delete=lambda c, v: services.delete_view(v, by=_by(c)),
    may_change=_may_change_view,
)


@router.get("/views/{pk}/tickets", response={200: TicketPage, **ERRORS}, tags=["views"])
def view_tickets(request: HttpRequest, pk: int, limit: int = 25, cursor: str | None = None):
    """The tickets a saved view shows, with its query and order."""
    c = caller(request)
    view = get_or_404(_views(c), "No such view", pk=pk)
    page = find_tickets(
        c.user, c.workspace, view.query, order=view.order, limit=limit, cursor=cursor
    )
    return {
        "count": page.total,
        "next": page.next_cursor,
        "items": out.tickets(page.hits),
    }
