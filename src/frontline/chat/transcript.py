"""A chat's conversation by email, when the visitor asks for it: the public messages
(never internal notes), under the workspace's "chat transcript" notification text."""

from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.html import escape

from frontline.chat.config import settings_for
from frontline.chat.models import ChatSession
from frontline.lib import throttle
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Channel, Message, Ticket

KIND = "chat_transcript"  # the notification (email.notifications.DEFAULTS)
EVERY_SECONDS = 600  # one email a conversation per ten minutes


def email_transcript(session: ChatSession, email: str = "") -> str:
    """Send the conversation to the visitor (to `email`, which is kept as their address,
    or to the one we have). Returns the address it goes to."""
    from frontline.chat.services import leave_email
    from frontline.email.notifications import template_for
    from frontline.email.tasks import send_notification

    if session.ticket_id is None:
        raise ServiceError("There is no conversation to send yet", code="no_conversation",
                           status=409)  # fmt: skip
    if not template_for(session.workspace_id, KIND).enabled:
        raise ServiceError("This help desk does not send conversations by email",
                           code="switched_off", status=409)  # fmt: skip
    if email.strip():
        leave_email(session, email)
    ticket = Ticket.objects.select_related("requester").get(pk=session.ticket_id)
    address = ticket.requester.email
    if not address:
        raise invalid("email", "Give an email address to send the conversation to")
    if not throttle.allow(f"chat-transcript:{session.pk}", 1, EVERY_SECONDS):
        raise ServiceError("The conversation was sent a moment ago; look in your inbox",
                           code="rate_limited", status=429)  # fmt: skip
    with transaction.atomic():
        record([event(ticket.workspace_id, Actor.of(ticket.requester), "chat.transcript_sent",
                      ticket=ticket, after={"to": address})])  # fmt: skip
        transaction.on_commit(lambda: send_notification.enqueue(KIND, ticket.pk))
    return address


def transcript_block(ticket: Ticket) -> tuple[str, str] | None:
    """notifications extra: the conversation under the template's text (text and HTML)."""
    if ticket.channel != Channel.CHAT:
        return None
    bot = settings_for(ticket.workspace).bot_name or "Virtual assistant"
    zone = ZoneInfo(ticket.workspace.time_zone)
    messages = (
        ticket.messages.filter(visibility=Message.Visibility.PUBLIC)
        .select_related("author_user")
        .order_by("pk")
    )
    rows = []
    for m in messages:
        if m.author_type == Message.Author.CUSTOMER:
            who = "You"
        elif m.author_type == Message.Author.BOT:
            who = bot
        else:
            who = m.author_user.display_name if m.author_user else ticket.workspace.name
        rows.append((m.created_at.astimezone(zone).strftime("%d %b %H:%M"), who, m.body_text))
    text = "\n\n".join(f"{at} {who}:\n{body}" for at, who, body in rows)
    html = "".join(
        f"<p><small>{escape(at)}</small> <strong>{escape(who)}</strong><br>"
        f"{escape(body).replace(chr(10), '<br>')}</p>"
        for at, who, body in rows
    )
    return text, html
