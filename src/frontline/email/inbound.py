"""Inbound email: store raw first, then turn it into a ticket or a reply.

`receive` only stores (deduplicated by content hash and Message-ID), so a crash or a
parser bug never loses mail; `process` is idempotent (a message already processed is
left alone), so a job that runs twice creates one ticket. A message that cannot be read
is kept, flagged with the error, and can be processed again after a fix.
"""

import email.parser
import email.policy
import hashlib
import logging
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from frontline.accounts.models import Workspace
from frontline.email import outbound, rules
from frontline.email.models import InboundEmail, Mailbox, MessageEmail
from frontline.email.parsing import ParsedEmail, parse
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Channel, Ticket

log = logging.getLogger(__name__)
State = InboundEmail.State
EMPTY_BODY = "(No text: see the attached files.)"


def receive(workspace: Workspace, raw: bytes, *, source: str = "pipe") -> InboundEmail:
    """Store the raw message (once). Returns the stored row, new or the earlier copy."""
    return store(workspace, raw, source=source)[0]


def store(workspace: Workspace, raw: bytes, *, source: str) -> tuple[InboundEmail, bool]:
    """`receive`, also telling whether this copy was new (True) or already stored."""
    digest = hashlib.sha256(raw).hexdigest()
    found = InboundEmail.objects.filter(workspace=workspace, sha256=digest).first()
    if found is not None:
        return found, False
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    ids = re.findall(r"<[^<>\s]+>", str(headers.get("Message-ID", "")))
    message_id = ids[0][:998] if ids else ""
    if message_id:
        # The same message reached us another way (a second fetch, a CC to two mailboxes).
        found = InboundEmail.objects.filter(workspace=workspace, rfc_message_id=message_id).first()
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            row = InboundEmail.objects.create(
                workspace=workspace,
                raw=raw,
                sha256=digest,
                rfc_message_id=message_id,
                source=source,
            )
            return row, True
    except IntegrityError:  # stored by a concurrent fetch a moment ago
        return InboundEmail.objects.get(workspace=workspace, sha256=digest), False


def process(inbound_id: int, *, release: bool = False) -> InboundEmail:
    """Turn a stored message into a ticket or a reply; idempotent. `release` lets a
    message through the block list and the sender limit (an admin's decision)."""
    with transaction.atomic():
        inbound = (
            InboundEmail.objects.select_for_update().select_related("workspace").get(pk=inbound_id)
        )
        if inbound.state != State.RECEIVED:
            return inbound
        try:
            with transaction.atomic():
                _process(inbound, release=release)
        except Exception as exc:  # noqa: BLE001 - any failure is kept for admins, not lost
            log.exception("email %s could not be processed", inbound.pk)
            inbound.state, inbound.error = State.FAILED, f"{type(exc).__name__}: {exc}"
        inbound.processed_at = clock.now()
        inbound.save()
    return inbound


def reprocess(inbound: InboundEmail) -> InboundEmail:
    """Try a failed message again (after a fix, or with a corrected parser), or let a
    held one through."""
    held = inbound.state == State.HELD
    InboundEmail.objects.filter(pk=inbound.pk, state__in=[State.FAILED, State.HELD]).update(
        state=State.RECEIVED, error="", reason=""
    )
    return process(inbound.pk, release=held)


def our_addresses(workspace: Workspace) -> set[str]:
    """Addresses we send from: mail from them is a loop and never becomes a ticket."""
    found = {outbound.sender()[1]} - {""}
    return found | set(
        Mailbox.objects.filter(workspace=workspace).values_list("address", flat=True)
    )


def _without_tag(address: str) -> str:
    """support+t12@example.com → support@example.com (our reply addresses carry a tag)."""
    local, at, domain = address.partition("@")
    return local.split("+", 1)[0] + at + domain


def _process(inbound: InboundEmail, *, release: bool) -> None:
    workspace = inbound.workspace
    mail = parse(bytes(inbound.raw))
    inbound.sender = mail.from_address[:320]
    if mail.machine:
        inbound.state, inbound.reason = State.IGNORED, mail.machine
        return
    ours = our_addresses(workspace)
    if mail.from_address in ours or _without_tag(mail.from_address) in ours:
        inbound.state, inbound.reason = State.IGNORED, "sent from our own address (loop)"
        return
    held = "" if release else rules.hold_reason(workspace, mail.from_address)
    if held:
        inbound.state, inbound.reason = State.HELD, held
        return
    customer = tickets.customer_for_email(workspace, mail.from_address, name=mail.from_name)
    files, html = _attachments(workspace, mail)
    ticket, trusted = _thread(workspace, mail)
    if ticket is not None and _may_write(ticket, customer, trusted):
        message = tickets.add_customer_message(
            ticket, customer, body=mail.text or EMPTY_BODY, attachments=files
        )
    else:
        ticket = tickets.create_ticket(
            workspace,
            by=Actor.of(customer),
            subject=mail.subject or "(no subject)",
            body=mail.text or EMPTY_BODY,
            body_html=html or None,
            requester=customer,
            channel=Channel.EMAIL,
            attachments=files,
        )
        message = ticket.messages.order_by("id").first()
    _follow(message.ticket, mail, ours | {mail.from_address} | set(mail.to))
    if mail.message_id:
        MessageEmail.objects.create(
            workspace=workspace,
            message=message,
            rfc_message_id=mail.message_id,
            direction=MessageEmail.Direction.IN,
            inbound=inbound,
        )
    inbound.state, inbound.ticket, inbound.message = State.PROCESSED, message.ticket, message


def _thread(workspace: Workspace, mail: ParsedEmail) -> tuple[Ticket | None, bool]:
    """The ticket this message continues, and whether the match is trusted (by header or
    reply address, which only people in the thread have) rather than a subject token."""
    if mail.thread_ids:
        known = (
            MessageEmail.objects.filter(workspace=workspace, rfc_message_id__in=mail.thread_ids)
            .select_related("message__ticket")
            .first()
        )
        if known is not None:
            return known.message.ticket, True
    for address in mail.to + mail.cc:
        plus = re.match(r"[^+@]+\+(\d+)@", address)
        if plus:
            found = Ticket.objects.filter(workspace=workspace, number=int(plus.group(1))).first()
            if found is not None:
                return found, True
    if mail.ticket_number is not None:
        found = Ticket.objects.filter(workspace=workspace, number=mail.ticket_number).first()
        return found, False
    return None, False


def _may_write(ticket: Ticket, customer, trusted: bool) -> bool:
    """Someone in the thread joins it as a follower; a stranger who only copied the
    subject token starts a ticket of their own."""
    if customer.pk == ticket.requester_id or ticket.followers.filter(pk=customer.pk).exists():
        return True
    if trusted:
        ticket.followers.add(customer)
        return True
    return False


def _follow(ticket: Ticket, mail: ParsedEmail, skip: set[str]) -> None:
    """People copied on the mail follow the ticket (they get the replies too)."""
    for address in mail.cc:
        if address in skip:
            continue
        try:
            follower = tickets.customer_for_email(ticket.workspace, address)
        except ServiceError:
            continue  # an address we cannot use is not worth losing the mail for
        if follower.pk != ticket.requester_id:
            ticket.followers.add(follower)


def _attachments(workspace: Workspace, mail: ParsedEmail):
    """The mail's files stored, and its HTML with inline images (cid:) pointing at them;
    an inline image that could not be kept is dropped from the HTML."""
    stored, inline = [], {}
    for a in mail.attachments:
        upload = SimpleUploadedFile(a.filename, a.content, content_type=a.content_type)
        try:
            attachment = tickets.store_attachment(workspace, upload, by=None)
        except ServiceError as exc:  # too large, empty or a program: keep the mail
            log.warning("email attachment %s skipped: %s", a.filename, exc)
            continue
        stored.append(attachment)
        if a.content_id:
            inline[a.content_id] = attachment

    def point(match):
        found = inline.get(match.group(1))
        return f'src="{tickets.inline_url(found)}"' if found else ""

    return stored, re.sub(r'src="cid:([^"]*)"', point, mail.html or "")


def forget_customer(customer, ticket_ids: list[int]) -> None:
    """tickets hook (erasure): the raw emails of their tickets and every email they sent."""
    addresses = list(customer.emails.values_list("email", flat=True))
    InboundEmail.objects.filter(
        Q(ticket_id__in=ticket_ids) | Q(workspace_id=customer.workspace_id, sender__in=addresses)
    ).delete()
