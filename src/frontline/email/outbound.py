"""Agent replies by email: sent from the task worker with the headers that keep the
customer's mail client threading (Message-ID, In-Reply-To, References), a reply address
that brings answers back to the ticket (support+<number>@), the ticket token in the
subject, the followers in CC, the files, and a text and HTML body.

A reply is marked sent only once the mail server accepted it. A failure is recorded on
the message (agents see it) and retried with growing delays; a refused recipient (5xx)
is not retried.
"""

import email.utils
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from frontline.email import notifications
from frontline.email.models import MessageEmail
from frontline.email.parsing import SUBJECT_TOKEN
from frontline.lib import clock
from frontline.tickets import hooks
from frontline.tickets.models import Channel, Message

log = logging.getLogger(__name__)
Status = MessageEmail.Status
RETRY_AFTER = [60, 300, 900, 3600, 3 * 3600]  # seconds after attempts 1, 2, …
MAX_ATTEMPTS = len(RETRY_AFTER) + 1


def queue_reply(message: Message) -> MessageEmail | None:
    """Record the email for a public reply and send it after commit (tickets hook)."""
    ticket = message.ticket
    if message.visibility != Message.Visibility.PUBLIC or clock.in_history():
        return None  # a note; or history (the demo), answered back then
    if ticket.channel == Channel.CHAT and (
        hooks.conversation_state(ticket) is None or hooks.in_live_conversation(ticket)
    ):
        return None  # the visitor reads it in the chat; a chat left for later gets email
    if not ticket.requester.email:
        return None
    if ticket.channel != Channel.EMAIL and not _template(ticket).enabled:
        return None  # the workspace turned these off: customers read replies in the help center
    domain = sender()[1].rpartition("@")[2]
    out = MessageEmail.objects.create(
        workspace_id=message.workspace_id,
        message=message,
        rfc_message_id=email.utils.make_msgid(f"t{ticket.number}", domain=domain or None),
        direction=MessageEmail.Direction.OUT,
        status=Status.QUEUED,
    )
    from frontline.email.tasks import send_reply

    transaction.on_commit(lambda: send_reply.enqueue(out.pk))
    return out


def sender() -> tuple[str, str]:
    """DEFAULT_FROM_EMAIL as (display name, lower-case address)."""
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL or "")
    return name, address.lower()


def reply_address(number: int) -> str:
    """support@acme.test → "Acme Support <support+<number>@acme.test>"."""
    name, address = sender()
    local, _, domain = address.partition("@")
    return email.utils.formataddr((name, f"{local}+{number}@{domain}"))


def _template(ticket):
    return notifications.template_for(ticket.workspace_id, "agent_replied")


def build(out: MessageEmail) -> EmailMultiAlternatives:
    """The reply's email: the workspace's "agent replied" template around the reply's text
    (or the bare text when that template is off), threaded into the customer's mail."""
    message = out.message
    ticket = message.ticket
    template = _template(ticket)
    text, html_body = message.body_text, message.body_html
    subject = ticket.subject
    if template.enabled:
        values = notifications.values_for(
            ticket, message=message, to_customer=True, agent=message.author_user
        )
        subject = notifications.render(template.subject, values)
        text = notifications.render(template.body, values)
        html_body = notifications.render(
            template.body, values, as_html=True, message_html=message.body_html
        )
    thread = list(
        MessageEmail.objects.filter(message__ticket=ticket, message__id__lt=message.pk)
        .order_by("message__id")
        .values_list("rfc_message_id", "direction")
    )
    if not SUBJECT_TOKEN.search(subject):
        subject = f"[#{ticket.number}] {subject}"
    headers = {"Message-ID": out.rfc_message_id}
    if thread:
        inbound = [mid for mid, direction in thread if direction == MessageEmail.Direction.IN]
        headers["In-Reply-To"] = (inbound or [thread[-1][0]])[-1]
        headers["References"] = " ".join(mid for mid, _ in thread[-20:])
    mail = EmailMultiAlternatives(
        subject=f"Re: {subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ticket.requester.email],
        cc=sorted(c.email for c in ticket.followers.all() if c.email),
        reply_to=[reply_address(ticket.number)],
        headers=headers,
    )
    mail.attach_alternative(html_body, "text/html")
    for a in message.attachments.all():
        with a.file.open("rb") as f:
            mail.attach(a.filename, f.read(), a.content_type or "application/octet-stream")
    return mail


def send(out_id: int) -> MessageEmail:
    """One delivery attempt; idempotent once sent."""
    out = MessageEmail.objects.select_related("message__ticket__requester").get(pk=out_id)
    if out.status in (Status.SENT, Status.FAILED):
        return out
    try:
        build(out).send()
    except (smtplib.SMTPException, OSError) as exc:
        out.attempts += 1
        out.error = f"{type(exc).__name__}: {exc}"
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or (
            isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
        )
        if permanent or out.attempts >= MAX_ATTEMPTS:
            out.status, out.next_attempt_at = Status.FAILED, None
        else:
            out.status = Status.RETRYING
            out.next_attempt_at = clock.now() + timedelta(seconds=RETRY_AFTER[out.attempts - 1])
            from frontline.email.tasks import send_reply

            send_reply.using(run_after=out.next_attempt_at).enqueue(out.pk)
        log.warning("email for message %s: %s", out.message_id, out.error)
    else:
        out.status, out.sent_at, out.error, out.next_attempt_at = Status.SENT, clock.now(), "", None
    out.save(update_fields=["status", "attempts", "error", "next_attempt_at", "sent_at"])
    return out
