"""Tickets: list and search, create, read, update, conversation, merge, bulk, events."""

from django.http import Http404, HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.models import Role
from frontline.api import out
from frontline.api.auth import caller
from frontline.api.common import get_or_404, idempotent, json_response, known_params, member, team
from frontline.api.schemas import (
    AttachmentOut,
    BulkIn,
    BulkOut,
    Error,
    MergeIn,
    MessageCreate,
    MessageOut,
    RoundRobinIn,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
    TicketUpdate,
)
from frontline.lib.errors import invalid
from frontline.tickets import services
from frontline.tickets.access import access_ticket, visible_tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Attachment, Customer, Macro, Message, Ticket
from frontline.tickets.search import find_tickets
from frontline.tickets.services.attachments import attachment_response

router = Router(tags=["tickets"])
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}


class ListParams(Schema):
    q: str = ""
    order: str | None = None
    limit: int = 25
    cursor: str | None = None


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="List and search tickets")
def list_tickets(request: HttpRequest, params: Query[ListParams]):
    """`q` takes the search language: words, "phrases", status:open, priority:urgent,
    assignee:me, team:billing, tag:refund, requester:email, created>2026-01-01,
    updated<48h (a time ago: m, h, d or w), #123.
    Results with words are ranked by relevance unless `order` is given."""
    c = caller(request)
    known_params(request, ListParams)
    page = find_tickets(
        c.user, c.workspace, params.q, order=params.order, limit=params.limit, cursor=params.cursor
    )
    items = out.tickets(page.hits)
    return json_response({"count": page.total, "next": page.next_cursor, "items": items})


def _attachments(c, ids: list[int]) -> list[Attachment]:
    if not ids:
        return []
    found = list(Attachment.objects.filter(workspace=c.workspace, pk__in=ids, message__isnull=True))
    if len(found) != len(set(ids)):
        raise invalid("attachments", "unknown or already used attachment ids")
    return found


def _reload(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_related("requester", "assignee", "team", "merged_into")
        .prefetch_related("tags")
        .get(pk=ticket_id)
    )


@router.post("/tickets", response={201: TicketOut, **ERRORS}, summary="Create a ticket")
def create_ticket(request: HttpRequest, payload: TicketCreate):
    """Send an `Idempotency-Key` header to make retries safe: the same key returns the
    ticket created the first time instead of a duplicate."""
    c = caller(request, Role.AGENT)

    def create():
        data = payload.model_dump()
        requester = None
        if data["requester_id"] is not None:
            requester = get_or_404(
                Customer.objects.filter(workspace=c.workspace),
                "No such customer",
                pk=data["requester_id"],
            )
        ticket = services.create_ticket(
            c.workspace,
            by=Actor.of(c.user),
            subject=data["subject"],
            body=data["body"],
            body_html=data["body_html"],
            requester=requester,
            requester_email=data["requester_email"],
            requester_name=data["requester_name"],
            channel=data["channel"],
            status=data["status"],
            priority=data["priority"],
            assignee=member(c, data["assignee"]),
            team=team(c, data["team"]),
            tags=data["tags"],
            custom_fields=data["custom_fields"],
            attachments=_attachments(c, data["attachments"]),
            first_message_by=Message.Author.AGENT if data["internal"] else Message.Author.CUSTOMER,
        )
        return 201, out.one_ticket(ticket)  # the service's ticket has its relations in hand

    status, body = idempotent(request, c, payload.model_dump(), create)
    return json_response(body, status)


@router.post("/tickets/bulk", response={200: BulkOut, **ERRORS}, summary="Update many tickets")
def bulk(request: HttpRequest, payload: BulkIn):
    """Apply the same changes (and optionally a macro) to each ticket. A ticket that
    cannot change is reported in `failed`; the others are still updated."""
    c = caller(request, Role.AGENT)
    changes = _changes(c, payload.changes)
    macro = None
    if payload.macro is not None:
        macro = get_or_404(
            Macro.objects.filter(workspace=c.workspace), "No such macro", pk=payload.macro
        )
    found = {
        t.number: t
        for t in visible_tickets(c.user, c.workspace)
        .filter(number__in=payload.numbers)
        .select_related("workspace", "requester", "assignee", "team")
    }
    result = services.bulk_update(
        [found[n] for n in payload.numbers if n in found],
        by=Actor.of(c.user),
        changes=changes,
        macro=macro,
    )
    failed = [{"number": n, "code": e.code, "message": str(e)} for n, e in result.failed]
    failed += [
        {"number": n, "code": "not_found", "message": "No such ticket"}
        for n in payload.numbers
        if n not in found
    ]
    return {"updated": result.updated, "failed": failed}


def _messages(ticket: Ticket):
    return (
        ticket.messages.order_by("created_at", "id")
        .select_related("author_user", "author_customer")
        .prefetch_related("attachments")
    )


@router.get("/tickets/{number}", response={200: TicketDetail, **ERRORS})
def get_ticket(request: HttpRequest, number: int):
    c = caller(request)
    t = access_ticket(c.user, c.workspace, number)
    t = _reload(t.pk)
    data = out.one_ticket(t)
    data["followers"] = [out.person(f) for f in t.followers.all()]
    data["messages"] = [out.message(m) for m in _messages(t)]
    return json_response(data)


@router.patch("/tickets/{number}", response={200: TicketOut, **ERRORS})
def update_ticket(request: HttpRequest, number: int, payload: TicketUpdate):
    """Change any of the fields sent; fields left out stay as they are. `assignee` and
    `team` take an id, an email / a slug, or null."""
    c = caller(request, Role.AGENT)
    t = access_ticket(c.user, c.workspace, number, write=True)
    services.update_ticket(t, by=Actor.of(c.user), changes=_changes(c, payload))
    return out.one_ticket(_reload(t.pk))


def _changes(c, payload: TicketUpdate) -> dict:
    changes = payload.model_dump(exclude_unset=True)
    if "assignee" in changes:
        changes["assignee"] = member(c, changes["assignee"])
    if "team" in changes:
        changes["team"] = team(c, changes["team"])
    for key in ("subject", "status", "priority", "tags", "add_tags", "remove_tags"):
        if key in changes and changes[key] is None:
            raise invalid(key, "must not be null")
    return changes


@router.get("/tickets/{number}/messages", response={200: list[MessageOut], **ERRORS})
def list_messages(request: HttpRequest, number: int):
    c = caller(request)
    t = access_ticket(c.user, c.workspace, number)
    return [out.message(m) for m in _messages(t)]


@router.post("/tickets/{number}/messages", response={201: MessageOut, **ERRORS})
def add_message(request: HttpRequest, number: int, payload: MessageCreate):
    """A public reply (`type: reply`, may set `status`) or an internal note."""
    c = caller(request, Role.AGENT)
    t = access_ticket(c.user, c.workspace, number, write=True)

    def create():
        files = _attachments(c, payload.attachments)
        by = Actor.of(c.user)
        if payload.type == "note":
            if payload.status is not None:
                raise invalid("status", "a note cannot change the status; use PATCH")
            m = services.add_note(
                t, by=by, body=payload.body, body_html=payload.body_html, attachments=files
            )
        else:
            m = services.reply(
                t,
                by=by,
                body=payload.body,
                body_html=payload.body_html,
                attachments=files,
                status=payload.status,
            )
        return 201, out.message(_messages(t).get(pk=m.pk))

    status, body = idempotent(request, c, payload.model_dump(), create)
    return json_response(body, status)


@router.post("/tickets/{number}/merge", response={200: TicketOut, **ERRORS})
def merge(request: HttpRequest, number: int, payload: MergeIn):
    """Merge this ticket into `into`: messages and requester move; this one is closed."""
    c = caller(request, Role.AGENT)
    source = access_ticket(c.user, c.workspace, number, write=True)
    target = access_ticket(c.user, c.workspace, payload.into, write=True)
    services.merge_tickets(source, target, by=Actor.of(c.user))
    return out.one_ticket(_reload(target.pk))


@router.post("/tickets/{number}/round-robin", response={200: TicketOut, **ERRORS})
def round_robin(request: HttpRequest, number: int, payload: RoundRobinIn):
    """Give the ticket to the team and its next available member, in turn."""
    c = caller(request, Role.AGENT)
    t = access_ticket(c.user, c.workspace, number, write=True)
    services.assign_round_robin(t, team(c, payload.team), by=Actor.of(c.user))
    return out.one_ticket(_reload(t.pk))


@router.post("/tickets/{number}/macros/{macro_id}", response={200: TicketOut, **ERRORS})
def apply_macro(request: HttpRequest, number: int, macro_id: int):
    c = caller(request, Role.AGENT)
    t = access_ticket(c.user, c.workspace, number, write=True)
    macro = get_or_404(Macro.objects.filter(workspace=c.workspace), "No such macro", pk=macro_id)
    services.apply_macro(t, macro, by=Actor.of(c.user))
    return out.one_ticket(_reload(t.pk))


@router.post("/attachments", response={201: AttachmentOut, **ERRORS}, tags=["attachments"])
def upload_attachment(request: HttpRequest, file: File[UploadedFile]):
    """Upload a file first, then pass its id in `attachments` of a ticket or message."""
    c = caller(request, Role.AGENT)
    return Status(201, out.attachment(services.store_attachment(c.workspace, file, by=c.user)))


@router.get(
    "/attachments/{attachment_id}",
    url_name="download_attachment",
    tags=["attachments"],
    response={200: None, **ERRORS},
)
def download_attachment(request: HttpRequest, attachment_id: int):
    """Download with the original name. Files are always sent as attachments (never
    rendered inline by the browser) so an uploaded HTML or SVG cannot run scripts."""
    c = caller(request)
    a = get_or_404(
        Attachment.objects.filter(workspace=c.workspace).select_related("message__ticket"),
        "No such attachment",
        pk=attachment_id,
    )
    if a.message_id is not None:
        access_ticket(c.user, c.workspace, a.message.ticket.number)  # 404 if not visible
    elif a.uploaded_by_id != c.user.pk:
        raise Http404("No such attachment")
    return attachment_response(a)
