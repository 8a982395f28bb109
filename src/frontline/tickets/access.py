"""Ticket visibility: members see tickets by role and workspace setting; customers
see only their own tickets, and never internal notes."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from frontline.accounts.access import membership, require_role
from frontline.accounts.models import Role, User, Workspace
from frontline.tickets.models import Customer, Message, Ticket


def sees_all_tickets(user: User, workspace: Workspace) -> bool:
    """Whether this member may see every ticket of the workspace."""
    m = membership(user, workspace)
    if m is None:
        return False
    return not (
        m.role == Role.AGENT
        and workspace.agent_ticket_visibility == Workspace.TicketVisibility.OWN_AND_TEAMS
    )


def visible_tickets(user: User, workspace: Workspace) -> QuerySet[Ticket]:
    """Tickets this member may see (an empty queryset for non-members)."""
    qs = Ticket.objects.filter(workspace=workspace)
    if sees_all_tickets(user, workspace):
        return qs
    if membership(user, workspace) is None:
        return qs.none()
    return qs.filter(Q(assignee=user) | Q(team__members=user)).distinct()


def access_ticket(user: User, workspace: Workspace, number: int, *, write: bool = False):
    """The ticket with this number, if the member may see it (404) and, with write=True,
    change it (403 for viewers)."""
    require_role(user, workspace, Role.VIEWER)
    ticket = (
        visible_tickets(user, workspace)
        .select_related("requester", "assignee", "team", "workspace")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket")
    if write:
        require_role(user, workspace, Role.AGENT)
    return ticket


def customer_tickets(customer: Customer) -> QuerySet[Ticket]:
    """A customer's own tickets and the ones they follow."""
    return Ticket.objects.filter(
        Q(requester=customer) | Q(followers=customer), workspace_id=customer.workspace_id
    ).distinct()


def access_ticket_as_customer(customer: Customer, number: int) -> Ticket:
    ticket = customer_tickets(customer).filter(number=number).first()
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def visible_messages(ticket: Ticket, *, for_customer: bool) -> QuerySet[Message]:
    qs = ticket.messages.order_by("created_at", "id")
    if for_customer:
        qs = qs.filter(visibility=Message.Visibility.PUBLIC)
    return qs


def require_agent(user: User, workspace: Workspace) -> None:
    m = require_role(user, workspace, Role.VIEWER)
    if not m.has_role(Role.AGENT):
        raise PermissionDenied("Viewers cannot change tickets")
