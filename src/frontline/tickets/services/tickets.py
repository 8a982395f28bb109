"""Ticket lifecycle: create, converse, change fields, assign, macros, merge, bulk."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from frontline.accounts.models import ROLE_RANK, Membership, Role, User, Workspace
from frontline.lib import clock, realtime
from frontline.lib.errors import FieldError, ServiceError, conflict, invalid
from frontline.lib.html import html_to_text, sanitize_html, text_to_html
from frontline.lib.insert import insert
from frontline.tickets import hooks
from frontline.tickets.events import Actor, event, record, recorded_together
from frontline.tickets.fields import clean_custom_fields, missing_required
from frontline.tickets.models import (
    Attachment,
    Channel,
    Customer,
    Macro,
    Message,
    Priority,
    SearchDocument,
    Status,
    Tag,
    Team,
    Ticket,
)
from frontline.tickets.search import indexing
from frontline.tickets.services.customers import customer_for_email

MAX_SUBJECT = 250
MAX_BODY = 65_536
MAX_TAGS = 50


# ---- helpers ---------------------------------------------------------------------------


def _next_number(workspace_id: int) -> int:
    # One statement: atomic on SQLite (write lock) and PostgreSQL (row lock).
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE accounts_workspace SET last_ticket_number = last_ticket_number + 1 "
            "WHERE id = %s RETURNING last_ticket_number",
            [workspace_id],
        )
        return cur.fetchone()[0]


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise invalid("subject", "must not be empty")
    if len(subject) > MAX_SUBJECT:
        raise invalid("subject", f"must be at most {MAX_SUBJECT} characters")
    return subject


def _clean_body(body: str, body_html: str | None) -> tuple[str, str]:
    """Return (text, safe html). HTML input is sanitised and its text derived from it."""
    if body_html:
        if len(body_html) > MAX_BODY * 4:
            raise invalid("body_html", f"must be at most {MAX_BODY * 4} characters")
        safe = sanitize_html(body_html)
        text = (body or "").strip() or html_to_text(safe)
    else:
        text = (body or "").strip()
        safe = text_to_html(text)
    if not text:
        raise invalid("body", "must not be empty")
    if len(text) > MAX_BODY:
        raise invalid("body", f"must be at most {MAX_BODY} characters")
    return text, safe


def _check_choice(name: str, value: str, choices) -> str:
    if value not in choices.values:
        raise invalid(name, f"must be one of: {', '.join(choices.values)}")
    return value


def _check_assignee(workspace_id: int, user: User | None) -> None:
    if user is None:
        return
    role = (
        Membership.objects.filter(workspace_id=workspace_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    if role is None or ROLE_RANK[role] < ROLE_RANK[Role.AGENT]:
        raise invalid("assignee", "must be an agent of this workspace")


def _check_same_workspace(name: str, workspace_id: int, obj) -> None:
    if obj is not None and obj.workspace_id != workspace_id:
        raise invalid(name, "does not exist in this workspace")


def _tags(workspace_id: int, names: Iterable[str]) -> list[Tag]:
    cleaned = []
    for name in names:
        name = str(name).strip().lower().replace(" ", "-")
        if not name or len(name) > 60:
            raise invalid("tags", "each tag must be 1 to 60 characters")
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise invalid("tags", f"at most {MAX_TAGS} tags")
    if not cleaned:
        return []
    existing = {t.name: t for t in Tag.objects.filter(workspace_id=workspace_id, name__in=cleaned)}
    missing = [Tag(workspace_id=workspace_id, name=n) for n in cleaned if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            t.name: t for t in Tag.objects.filter(workspace_id=workspace_id, name__in=cleaned)
        }
    return [existing[n] for n in cleaned]


def _check_attachments(workspace_id: int, attachments: Iterable[Attachment]) -> list[Attachment]:
    attachments = list(attachments)
    for a in attachments:
        _check_same_workspace("attachments", workspace_id, a)
        if a.message_id is not None:
            raise invalid("attachments", f"attachment {a.pk} is already on a message")
    return attachments


def _check_writable(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise conflict(
            f"Ticket #{ticket.number} was merged and can no longer change", code="ticket_merged"
        )


def index_ticket(ticket: Ticket) -> None:
    """Rebuild the ticket's search document (subject + all message text)."""
    texts = Message.objects.filter(ticket=ticket).order_by("created_at", "id")
    body = "\n".join(texts.values_list("body_text", flat=True))
    SearchDocument.objects.update_or_create(
        ticket=ticket,
        defaults={"workspace_id": ticket.workspace_id, "subject": ticket.subject, "body": body},
    )
    indexing.queued()


def _append_to_index(ticket: Ticket, text: str) -> None:
    # Cheaper than a rebuild for the common case of one new message.
    updated = SearchDocument.objects.filter(ticket=ticket).first()
    if updated is None:
        index_ticket(ticket)
        return
    updated.body = f"{updated.body}\n{text}" if updated.body else text
    updated.save(update_fields=["body"])
    indexing.queued()


def _notify(ticket: Ticket, kinds: list[str]) -> None:
    realtime.ticket_changed(ticket.workspace_id, ticket.pk, ticket.number, kinds)


def _add_message(
    ticket: Ticket,
    by: Actor,
    *,
    author_type: str,
    visibility: str,
    content: tuple[str, str],
    attachments: Iterable[Attachment] = (),
    created_at: datetime | None = None,
) -> tuple[Message, Any]:
    """`content` is `_clean_body`'s (text, safe html), made before the transaction: the
    sanitising is slow enough to matter while SQLite's write lock is held."""
    text, safe = content
    files = _check_attachments(ticket.workspace_id, attachments)
    message = insert(
        Message(
            workspace_id=ticket.workspace_id,
            ticket=ticket,
            visibility=visibility,
            author_type=author_type,
            author_user=by.user,
            author_customer=by.customer,
            body_text=text,
            body_html=safe,
            created_at=created_at or clock.now(),
        )
    )
    if files:
        Attachment.objects.filter(pk__in=[a.pk for a in files]).update(message=message)
    ev = event(
        ticket.workspace_id,
        by,
        "message.added",
        ticket=ticket,
        after={
            "message": message.pk,
            "visibility": visibility,
            "author": author_type,
            "attachments": len(files),
        },
    )
    ev.added_message = message  # in memory only: after-commit hooks read it without a query
    return message, ev


# ---- create ----------------------------------------------------------------------------


def _tags_in_hand(ticket: Ticket, tags: list[Tag]) -> None:
    """Give a new ticket its tags as if prefetched, so whoever shows it next (the API's
    answer to a create) lists them without a query. Any later `ticket.tags.add/set/remove`
    on this instance (triage's routing tags) drops them again: Django clears a relation's
    prefetched rows when it changes it, and the next read asks the database."""
    in_hand = ticket.tags.all()
    in_hand._result_cache = list(tags)
    in_hand._prefetch_done = True
    ticket._prefetched_objects_cache = {"tags": in_hand}


def create_ticket(
    workspace: Workspace,
    *,
    by: Actor,
    subject: str,
    body: str = "",
    body_html: str | None = None,
    requester: Customer | None = None,
    requester_email: str | None = None,
    requester_name: str = "",
    channel: str = Channel.API,
    status: str | None = None,
    priority: str = Priority.NORMAL,
    assignee: User | None = None,
    team: Team | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    attachments: Iterable[Attachment] = (),
    first_message_by: str = Message.Author.CUSTOMER,
    created_at: datetime | None = None,
) -> Ticket:
    """Open a ticket with its first message. The requester is found or created by email."""
    subject = _clean_subject(subject)
    content = _clean_body(body, body_html)  # fail before any write
    text, _ = content
    _check_choice("channel", channel, Channel)
    _check_choice("priority", priority, Priority)
    if status is not None:
        _check_choice("status", status, Status)
    _check_same_workspace("requester", workspace.pk, requester)
    _check_same_workspace("team", workspace.pk, team)
    _check_assignee(workspace.pk, assignee)
    fields = clean_custom_fields(workspace.pk, custom_fields or {})
    if requester is None and not requester_email:
        raise invalid("requester", "a requester or requester_email is required")
    now = created_at or clock.now()
    # Other apps' slow reading of the text happens before the write transaction.
    prepared = hooks.prepare_ticket(workspace, subject, text)

    with transaction.atomic(), recorded_together():
        if requester is None:
            requester = customer_for_email(
                workspace,
                requester_email,
                name=requester_name,
                by=by,
                fields=hooks.new_requester_fields(prepared),
            )
        ticket = insert(
            Ticket(
                workspace=workspace,
                number=_next_number(workspace.pk),
                subject=subject,
                status=status or (Status.OPEN if assignee else Status.NEW),
                priority=priority,
                channel=channel,
                requester=requester,
                assignee=assignee,
                team=team,
                custom_fields={k: v for k, v in fields.items() if v is not None},
                created_at=now,
                updated_at=now,
            )
        )
        tag_objs = _tags(workspace.pk, tags)
        if tag_objs:
            ticket.tags.add(*tag_objs)
        _tags_in_hand(ticket, tag_objs)
        if first_message_by == Message.Author.CUSTOMER:
            author, author_type = Actor.of(requester), Message.Author.CUSTOMER
        else:
            author, author_type = by, first_message_by
        message, message_event = _add_message(
            ticket,
            author,
            author_type=author_type,
            visibility=Message.Visibility.PUBLIC,
            content=content,
            attachments=attachments,
            created_at=now,
        )
        created = event(
            workspace.pk,
            by,
            "ticket.created",
            ticket=ticket,
            after={
                "number": ticket.number,
                "channel": channel,
                "status": ticket.status,
                "priority": priority,
                "team": team.pk if team else None,
                "assignee": assignee.pk if assignee else None,
                "tags": [t.name for t in tag_objs],
            },
        )
        created.created_at = message_event.created_at = now
        record([created, message_event])
        insert(
            SearchDocument(
                ticket=ticket, workspace=workspace, subject=subject, body=message.body_text
            )
        )
        indexing.queued()
        hooks.ticket_created(ticket, message, prepared)
        _notify(ticket, ["created"])
    return ticket


# ---- conversation ----------------------------------------------------------------------


def reply(
    ticket: Ticket,
    *,
    by: Actor,
    body: str = "",
    body_html: str | None = None,
    attachments: Iterable[Attachment] = (),
    status: str | None = None,
) -> Message:
    """A public answer from an agent (or the virtual agent). New tickets become open and
    an unassigned ticket is taken by the agent who answers it."""
    _check_writable(ticket)
    if status is not None:
        _check_choice("status", status, Status)
    author_type = Message.Author.BOT if by.type == Actor.BOT else Message.Author.AGENT
    content = _clean_body(body, body_html)
    with transaction.atomic():
        message, ev = _add_message(
            ticket,
            by,
            author_type=author_type,
            visibility=Message.Visibility.PUBLIC,
            content=content,
            attachments=attachments,
        )
        record([ev])
        _append_to_index(ticket, message.body_text)
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = status
        elif ticket.status == Status.NEW:
            changes["status"] = Status.OPEN
        if ticket.assignee_id is None and by.user is not None:
            changes["assignee"] = by.user
        _apply_changes(ticket, by, changes, touch=True)
        hooks.reply_added(message)
        _notify(ticket, ["reply"])
    return message


def add_note(
    ticket: Ticket,
    *,
    by: Actor,
    body: str = "",
    body_html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> Message:
    """An internal note: agents only, never shown to the customer."""
    _check_writable(ticket)
    content = _clean_body(body, body_html)
    with transaction.atomic():
        message, ev = _add_message(
            ticket,
            by,
            author_type=Message.Author.AGENT if by.user else Message.Author.SYSTEM,
            visibility=Message.Visibility.INTERNAL,
            content=content,
            attachments=attachments,
        )
        record([ev])
        _append_to_index(ticket, message.body_text)
        _apply_changes(ticket, by, {}, touch=True)
        _notify(ticket, ["note"])
    return message


def add_customer_message(
    ticket: Ticket,
    customer: Customer,
    *,
    body: str = "",
    body_html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> Message:
    """The customer writes again. A waiting or solved ticket reopens; a closed one
    starts a follow-up ticket (returned message is on the follow-up)."""
    if customer.workspace_id != ticket.workspace_id or not (
        customer.pk == ticket.requester_id or ticket.followers.filter(pk=customer.pk).exists()
    ):
        raise ServiceError(
            "Only the requester or a follower can write on this ticket",
            code="forbidden",
            status=403,
        )
    by = Actor.of(customer)
    if ticket.merged_into_id is not None:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    if ticket.status == Status.CLOSED:
        with transaction.atomic():
            follow_up = create_ticket(
                ticket.workspace,
                by=by,
                subject=ticket.subject,
                body=body,
                body_html=body_html,
                requester=customer,
                channel=ticket.channel,
                priority=ticket.priority,
                team=ticket.team,
                attachments=attachments,
            )
            record(
                [
                    event(
                        ticket.workspace_id,
                        by,
                        "ticket.follow_up",
                        ticket=follow_up,
                        after={"follow_up_of": ticket.number},
                    )
                ]
            )
        return follow_up.messages.get()
    content = _clean_body(body, body_html)
    with transaction.atomic():
        message, ev = _add_message(
            ticket,
            by,
            author_type=Message.Author.CUSTOMER,
            visibility=Message.Visibility.PUBLIC,
            content=content,
            attachments=attachments,
        )
        record([ev])
        _append_to_index(ticket, message.body_text)
        reopen = ticket.status in (Status.PENDING, Status.SOLVED, Status.ON_HOLD)
        _apply_changes(ticket, by, {"status": Status.OPEN} if reopen else {}, touch=True)
        hooks.customer_wrote(message)
        _notify(ticket, ["customer_message"])
    return message


# ---- field changes ---------------------------------------------------------------------

TICKET_FIELDS = {
    "subject",
    "status",
    "priority",
    "assignee",
    "team",
    "tags",
    "add_tags",
    "remove_tags",
    "custom_fields",
}


def _apply_changes(ticket: Ticket, by: Actor, changes: dict[str, Any], *, touch: bool = False):
    """Validate and write field changes, one Event per changed field. Caller holds a
    transaction. Returns the names of fields that changed."""
    unknown = set(changes) - TICKET_FIELDS
    if unknown:
        raise ServiceError(
            "Unknown fields",
            details=[FieldError(name, "is not a ticket field") for name in sorted(unknown)],
        )
    ws = ticket.workspace_id
    events = []
    update_fields: list[str] = []

    def changed(name: str, before: Any, after: Any) -> None:
        events.append(event(ws, by, f"ticket.{name}", ticket=ticket, before=before, after=after))

    if "subject" in changes:
        subject = _clean_subject(changes["subject"])
        if subject != ticket.subject:
            changed("subject", ticket.subject, subject)
            ticket.subject = subject
            update_fields.append("subject")
    if "priority" in changes:
        priority = _check_choice("priority", changes["priority"], Priority)
        if priority != ticket.priority:
            changed("priority", ticket.priority, priority)
            ticket.priority = priority
            update_fields.append("priority")
    if "team" in changes:
        team = changes["team"]
        _check_same_workspace("team", ws, team)
        if (team.pk if team else None) != ticket.team_id:
            changed("team", ticket.team_id, team.pk if team else None)
            ticket.team = team
            update_fields.append("team")
    if "assignee" in changes:
        assignee = changes["assignee"]
        _check_assignee(ws, assignee)
        if (assignee.pk if assignee else None) != ticket.assignee_id:
            changed("assignee", ticket.assignee_id, assignee.pk if assignee else None)
            ticket.assignee = assignee
            update_fields.append("assignee")
            if assignee is not None and ticket.status == Status.NEW and "status" not in changes:
                changes = {**changes, "status": Status.OPEN}
    if "custom_fields" in changes:
        cleaned = clean_custom_fields(ws, changes["custom_fields"])
        merged = {**ticket.custom_fields, **cleaned}
        merged = {k: v for k, v in merged.items() if v is not None}
        if merged != ticket.custom_fields:
            changed(
                "custom_fields",
                {k: ticket.custom_fields.get(k) for k in cleaned},
                {k: merged.get(k) for k in cleaned},
            )
            ticket.custom_fields = merged
            update_fields.append("custom_fields")
    if "status" in changes:
        status = _check_choice("status", changes["status"], Status)
        if status != ticket.status:
            if status in (Status.SOLVED, Status.CLOSED):
                missing = missing_required(ws, ticket.custom_fields)
                if missing:
                    raise ServiceError(
                        "Fill in the required fields before solving",
                        code="required_fields",
                        details=[
                            FieldError(f"custom_fields.{k}", "is required to solve")
                            for k in missing
                        ],
                    )
            changed("status", ticket.status, status)
            if status == Status.SOLVED:
                ticket.solved_at = clock.now()
            elif status != Status.CLOSED:
                ticket.solved_at = None
            ticket.status = status
            update_fields += ["status", "solved_at"]
    if {"tags", "add_tags", "remove_tags"} & set(changes):
        before = sorted(ticket.tags.values_list("name", flat=True))
        names = set(changes["tags"]) if "tags" in changes else set(before)
        for t in _tags(ws, changes.get("add_tags", ())):
            names.add(t.name)
        names -= {str(n).strip().lower() for n in changes.get("remove_tags", ())}
        after = sorted(names)
        if after != before:
            ticket.tags.set(_tags(ws, after))
            changed("tags", before, after)
            update_fields.append("updated_at")
    if update_fields or touch:
        ticket.updated_at = clock.now()
        ticket.save(update_fields=sorted(set(update_fields) | {"updated_at"}))
    if "subject" in update_fields:
        SearchDocument.objects.filter(ticket=ticket).update(subject=ticket.subject)
        indexing.queued()
    record(events)
    return [e.kind.removeprefix("ticket.") for e in events]


def update_ticket(ticket: Ticket, *, by: Actor, changes: dict[str, Any]) -> list[str]:
    """Change any of: subject, status, priority, assignee, team, tags, add_tags,
    remove_tags, custom_fields (partial). Returns the fields that changed."""
    _check_writable(ticket)
    with transaction.atomic():
        done = _apply_changes(ticket, by, changes)
        if done:
            _notify(ticket, done)
    return done


def assign_round_robin(ticket: Ticket, team: Team, *, by: Actor) -> User | None:
    """Give the ticket to the team's next available agent, in turn. Returns the agent,
    or None (ticket stays with the team, unassigned) when nobody is available."""
    _check_writable(ticket)
    _check_same_workspace("team", ticket.workspace_id, team)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        available = list(
            User.objects.filter(
                teams=team,
                is_active=True,
                memberships__workspace_id=team.workspace_id,
                memberships__is_available=True,
                memberships__role__in=[Role.AGENT, Role.ADMIN, Role.OWNER],
            ).order_by("pk")
        )
        chosen = None
        if available:
            after = [u for u in available if team.last_assigned_id and u.pk > team.last_assigned_id]
            chosen = (after or available)[0]
            team.last_assigned = chosen
            team.save(update_fields=["last_assigned"])
        changes: dict[str, Any] = {"team": team}
        if chosen is not None:
            changes["assignee"] = chosen
        done = _apply_changes(ticket, by, changes)
        if done:
            _notify(ticket, done)
    return chosen


# ---- macros ----------------------------------------------------------------------------

MACRO_PLACEHOLDERS = {
    "{{requester.name}}": lambda t, by: t.requester.name or t.requester.email,
    "{{requester.first_name}}": lambda t, by: (t.requester.name or "").split(" ")[0] or "there",
    "{{ticket.number}}": lambda t, by: str(t.number),
    "{{ticket.subject}}": lambda t, by: t.subject,
    "{{agent.name}}": lambda t, by: by.user.display_name if by.user else "",
}


def render_macro_body(macro: Macro, ticket: Ticket, by: Actor) -> str:
    text = macro.body
    for placeholder, value in MACRO_PLACEHOLDERS.items():
        if placeholder in text:
            text = text.replace(placeholder, value(ticket, by))
    return text


def macro_changes(macro: Macro) -> dict[str, Any]:
    """Translate stored macro actions into update_ticket changes."""
    actions = dict(macro.actions)
    changes: dict[str, Any] = {}
    for key in ("status", "priority", "add_tags", "remove_tags", "custom_fields"):
        if key in actions:
            changes[key] = actions[key]
    if "assignee" in actions:
        uid = actions["assignee"]
        changes["assignee"] = User.objects.filter(pk=uid).first() if uid else None
    if "team" in actions:
        slug = actions["team"]
        changes["team"] = (
            Team.objects.filter(workspace_id=macro.workspace_id, slug=slug).first()
            if slug
            else None
        )
    return changes


def apply_macro(ticket: Ticket, macro: Macro, *, by: Actor) -> Message | None:
    """Post the macro's reply or note (if it has text) and apply its field changes."""
    _check_writable(ticket)
    _check_same_workspace("macro", ticket.workspace_id, macro)
    if not macro.active:
        raise invalid("macro", "is not active")
    changes = macro_changes(macro)
    with transaction.atomic():
        message = None
        if macro.body.strip():
            body = render_macro_body(macro, ticket, by)
            if macro.visibility == Message.Visibility.INTERNAL:
                message = add_note(ticket, by=by, body=body)
            else:
                message = reply(ticket, by=by, body=body, status=changes.pop("status", None))
        _apply_changes(ticket, by, changes)
        record(
            [
                event(
                    ticket.workspace_id,
                    by,
                    "macro.applied",
                    ticket=ticket,
                    after={"macro": macro.pk, "name": macro.name},
                )
            ]
        )
        _notify(ticket, ["macro"])
    return message


# ---- merge -----------------------------------------------------------------------------


def merge_tickets(source: Ticket, target: Ticket, *, by: Actor) -> Ticket:
    """Fold `source` into `target`: its messages move, its requester and followers follow
    the target, and it is closed pointing to the survivor."""
    if source.workspace_id != target.workspace_id:
        raise invalid("target", "does not exist in this workspace")
    if source.pk == target.pk:
        raise invalid("target", "cannot merge a ticket into itself")
    _check_writable(source)
    _check_writable(target)
    ws = source.workspace_id
    with transaction.atomic():
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        followers = {source.requester_id, *source.followers.values_list("pk", flat=True)}
        followers.discard(target.requester_id)
        if followers:
            target.followers.add(*followers)
        now = clock.now()
        for t, text in (
            (source, f"Merged into ticket #{target.number}."),
            (target, f"Ticket #{source.number} ({source.subject}) was merged into this one."),
        ):
            Message.objects.create(
                workspace_id=ws,
                ticket=t,
                visibility=Message.Visibility.INTERNAL,
                author_type=Message.Author.SYSTEM,
                author_user=by.user,
                body_text=text,
                body_html=text_to_html(text),
                created_at=now,
            )
        record(
            [
                event(
                    ws,
                    by,
                    "ticket.status",
                    ticket=source,
                    before=source.status,
                    after=Status.CLOSED,
                ),
                event(
                    ws,
                    by,
                    "ticket.merged",
                    ticket=source,
                    after={"into": target.number, "messages": moved},
                ),
                event(
                    ws,
                    by,
                    "ticket.merge_received",
                    ticket=target,
                    after={"from": source.number, "messages": moved},
                ),
            ]
        )
        source.status = Status.CLOSED
        source.merged_into = target
        source.updated_at = target.updated_at = now
        source.save(update_fields=["status", "merged_into", "updated_at"])
        target.save(update_fields=["updated_at"])
        index_ticket(source)
        index_ticket(target)
        _notify(source, ["merged"])
        _notify(target, ["merge_received"])
    return target


# ---- bulk ------------------------------------------------------------------------------


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    failed: list[tuple[int, ServiceError]] = field(default_factory=list)


def bulk_update(
    tickets: Iterable[Ticket],
    *,
    by: Actor,
    changes: dict[str, Any],
    macro: Macro | None = None,
) -> BulkResult:
    """The same services, once per ticket. One ticket's error does not stop the others."""
    result = BulkResult()
    for ticket in tickets:
        try:
            with transaction.atomic():
                if macro is not None:
                    apply_macro(ticket, macro, by=by)
                if changes:
                    update_ticket(ticket, by=by, changes=changes)
            result.updated.append(ticket.number)
        except ServiceError as exc:
            result.failed.append((ticket.number, exc))
    return result
