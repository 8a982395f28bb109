"""The agent's inbox: built-in views, the workspace's saved views, and their counts.

Every view is a query in the search language (plus, for "My teams", a narrower base set),
so the inbox, saved views, the search box and the API all go through find_tickets.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from frontline.accounts.models import User, Workspace
from frontline.tickets.access import visible_tickets
from frontline.tickets.models import SavedView, Ticket
from frontline.tickets.search import Page, count_tickets, find_tickets


@dataclass
class InboxView:
    key: str
    name: str
    query: str
    order: str = "-updated_at"
    my_teams: bool = False

    def base(self, user: User, workspace: Workspace) -> QuerySet[Ticket] | None:
        if not self.my_teams:
            return None
        return visible_tickets(user, workspace).filter(team__members=user).distinct()


BUILT_IN = [
    InboxView("mine", "My open tickets", "assignee:me status:unsolved"),
    InboxView("unassigned", "Unassigned", "assignee:none status:unsolved"),
    InboxView("teams", "My teams", "status:unsolved", my_teams=True),
    InboxView("open", "All open", "status:unsolved"),
    InboxView("pending", "Pending", "status:pending"),
    InboxView("solved", "Solved", "status:solved,closed", order="-updated_at"),
]


def inbox_views(user: User, workspace: Workspace) -> list[InboxView]:
    """Built-in views, then the shared and personal saved views."""
    saved = SavedView.objects.filter(
        Q(owner__isnull=True) | Q(owner=user), workspace=workspace
    ).order_by("position", "name")
    return BUILT_IN + [InboxView(f"v{v.pk}", v.name, v.query, v.order) for v in saved]


def view_count(user: User, workspace: Workspace, view: InboxView) -> int:
    return count_tickets(user, workspace, view.query, base=view.base(user, workspace))


def inbox_page(
    user: User,
    workspace: Workspace,
    view: InboxView,
    text: str = "",
    *,
    order: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """A page of the view, narrowed by what the agent typed into the search box.
    QueryError for a bad query, order or cursor."""
    query = f"{view.query} {text}".strip()
    if order is None and not text.strip():
        order = view.order
    return find_tickets(
        user,
        workspace,
        query,
        order=order,
        limit=limit,
        cursor=cursor,
        base=view.base(user, workspace),
    )
