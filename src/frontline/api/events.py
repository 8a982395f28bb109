"""The event log: every change, who made it, before and after."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from frontline.accounts.models import Role
from frontline.api import out
from frontline.api.auth import caller
from frontline.api.common import known_params
from frontline.api.schemas import Error, EventPage
from frontline.tickets.access import access_ticket
from frontline.tickets.models import Event

router = Router(tags=["events"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


class EventParams(Schema):
    ticket: int | None = Field(None, description="A ticket number")
    kind: str | None = Field(None, description="e.g. ticket.status, or a prefix: ticket.")
    limit: int = Field(50, ge=1, le=200)
    after: int | None = Field(None, description="The last id of the previous page")


@router.get("/events", response={200: EventPage, **ERRORS})
def list_events(request: HttpRequest, params: Query[EventParams]):
    """Oldest first. A ticket's history is open to everyone who can see the ticket; the
    whole workspace log is for owners and admins."""
    c = caller(request)
    known_params(request, EventParams)
    qs = Event.objects.filter(workspace=c.workspace)
    if params.ticket is not None:
        qs = qs.filter(ticket=access_ticket(c.user, c.workspace, params.ticket))
    else:
        c.require(Role.ADMIN)
    if params.kind:
        qs = qs.filter(kind__startswith=params.kind)
    if params.after:
        qs = qs.filter(pk__gt=params.after)
    rows = list(
        qs.select_related("actor_user", "actor_customer", "ticket")
        .only(
            "id",
            "kind",
            "ticket__number",
            "actor_type",
            "before",
            "after",
            "created_at",
            "actor_user__name",
            "actor_user__email",
            "actor_customer__name",
            "actor_customer__email",
        )
        .order_by("pk")[: params.limit + 1]
    )
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    numbers = {e.ticket_id: e.ticket.number for e in rows if e.ticket_id}
    return {
        "next": str(rows[-1].pk) if more else None,
        "items": [out.event(e, numbers) for e in rows],
    }
