"""Notification emails from editable templates, one per kind and workspace, each with an
on/off switch.

To customers: *received* (their email became a ticket), *agent_replied* (the wording
around an agent's reply; the reply itself is always emailed on email tickets, the switch
governs tickets that came another way), *solved*. To agents: *assigned* (a ticket was
given to them by someone else), *customer_replied* (on a ticket assigned to them),
*follow_up* (to the team's lead, or the admins: a bad rating to follow up).

Templates use `{{ name }}` placeholders from a fixed list (no template language, so an
admin's template can reach nothing but these values). Notifications are queued after
the change commits (`tickets.hooks.events_committed`) and sent by the task worker; to
customers with a reply address that threads answers back to the ticket and
`Auto-Submitted: auto-generated` so that other systems do not answer them.
"""

import html
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse

from frontline.accounts.models import User, Workspace
from frontline.email.models import MessageEmail, NotificationTemplate
from frontline.email.parsing import SUBJECT_TOKEN
from frontline.lib import clock
from frontline.lib.errors import invalid
from frontline.tickets import hooks
from frontline.tickets.events import Actor
from frontline.tickets.models import Channel, Event, Message, Status, Ticket
from frontline.tickets.services.rows import save_logged

log = logging.getLogger(__name__)
PLACEHOLDER = re.compile(r"{{\s*([a-z_.]+)\s*}}")
PLACEHOLDERS = {
    "ticket.number": "the ticket number",
    "ticket.subject": "the ticket subject",
    "ticket.status": "the ticket status",
    "ticket.link": "a link to the ticket (the help center for customers)",
    "customer.name": "the customer's name",
    "agent.name": "the agent who replied, or the assignee",
    "workspace.name": "your workspace's name",
    "message": "the text of the reply or message",
}
RETRY_AFTER = [60, 600, 3600]  # seconds; then the notification is given up and logged
# Blocks other apps add under a notification's text: kind -> [(ticket) -> (text, html)].
# The feedback app puts its one-click survey into "solved" this way.
_extras: dict[str, list] = {}


def register_extra(kind: str, block) -> None:
    if block not in _extras.setdefault(kind, []):
        _extras[kind].append(block)


@dataclass(frozen=True)
class Kind:
    label: str
    to_customer: bool
    subject: str
    body: str


DEFAULTS = {
    "received": Kind(
        "Customer: request received",
        True,
        "[#{{ ticket.number }}] We received your request",
        "Hello {{ customer.name }},\n\nThank you for writing to {{ workspace.name }}. Your "
        'request is ticket #{{ ticket.number }}, "{{ ticket.subject }}"; we will answer as '
        "soon as we can.\n\nTo add anything, simply reply to this email.\n",
    ),
    "agent_replied": Kind(
        "Customer: an agent replied",
        True,
        "[#{{ ticket.number }}] {{ ticket.subject }}",
        "{{ message }}\n\n--\n{{ agent.name }}, {{ workspace.name }}\nReply to this email "
        "to answer (ticket #{{ ticket.number }}).\n",
    ),
    "solved": Kind(
        "Customer: request solved",
        True,
        "[#{{ ticket.number }}] Your request is solved",
        'Hello {{ customer.name }},\n\nWe have marked your request "{{ ticket.subject }}" '
        "as solved. If anything is still wrong, reply to this email and it opens again.\n\n"
        "{{ workspace.name }}\n",
    ),
    "assigned": Kind(
        "Agent: a ticket was assigned to you",
        False,
        "[#{{ ticket.number }}] Assigned to you: {{ ticket.subject }}",
        "Ticket #{{ ticket.number }} from {{ customer.name }} is now yours.\n\n"
        "{{ message }}\n\nOpen it: {{ ticket.link }}\n",
    ),
    "follow_up": Kind(
        "Lead: a bad rating to follow up",
        False,
        "[#{{ ticket.number }}] Follow up: {{ customer.name }} was not happy",
        '{{ customer.name }} gave ticket #{{ ticket.number }} ("{{ ticket.subject }}") a '
        "bad rating. Please get back to them, then mark the follow-up done on the feedback "
        "page.\n\nOpen the ticket: {{ ticket.link }}\n",
    ),
    "chat_transcript": Kind(
        "Customer: a chat conversation they asked for",
        True,
        "Your conversation with {{ workspace.name }}",
        "Hello {{ customer.name }},\n\nHere is the conversation you had with us (ticket "
        "#{{ ticket.number }}). To add anything, simply reply to this email.\n",
    ),
    "customer_replied": Kind(
        "Agent: the customer replied",
        False,
        "[#{{ ticket.number }}] {{ customer.name }} replied: {{ ticket.subject }}",
        "{{ customer.name }} wrote on ticket #{{ ticket.number }}:\n\n{{ message }}\n\n"
        "Open it: {{ ticket.link }}\n",
    ),
}


# ---- templates (settings) -------------------------------------------------------------


def template_for(workspace_id: int, kind: str) -> NotificationTemplate:
    """The workspace's template, or the default one (unsaved, on)."""
    found = NotificationTemplate.objects.filter(workspace_id=workspace_id, kind=kind).first()
    if found is not None:
        return found
    default = DEFAULTS[kind]
    return NotificationTemplate(
        workspace_id=workspace_id, kind=kind, subject=default.subject, body=default.body
    )


def all_templates(workspace: Workspace) -> list[tuple[str, Kind, NotificationTemplate]]:
    saved = {t.kind: t for t in NotificationTemplate.objects.filter(workspace=workspace)}
    return [
        (kind, k, saved.get(kind) or template_for(workspace.pk, kind))
        for kind, k in DEFAULTS.items()
    ]


def _check_text(field: str, text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise invalid(field, "is required")
    if len(text) > limit:
        raise invalid(field, f"must be at most {limit} characters")
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown:
        raise invalid(
            field,
            f"{{{{ {unknown[0]} }}}} is not a placeholder; use one of " + ", ".join(PLACEHOLDERS),
        )
    return text


def save_template(
    workspace: Workspace, kind: str, *, by: Actor, enabled: bool, subject: str, body: str
) -> NotificationTemplate:
    if kind not in DEFAULTS:
        raise invalid("kind", f"must be one of {', '.join(DEFAULTS)}")
    current = template_for(workspace.pk, kind)
    current.subject = _check_text("subject", subject, 200).replace("\n", " ")
    current.body = _check_text("body", body, 10_000)
    current.enabled = bool(enabled)
    current.updated_at = clock.now()
    after = {"kind": kind, "enabled": current.enabled}
    return save_logged(current, by, "notification_template.saved", after=after)


def reset_template(workspace: Workspace, kind: str, *, by: Actor) -> None:
    found = NotificationTemplate.objects.filter(workspace=workspace, kind=kind).first()
    if found is not None:
        save_logged(found, by, "notification_template.reset", after={"kind": kind})
        found.delete()


# ---- rendering ---------------------------------------------------------------------------


def values_for(ticket: Ticket, *, message: Message | None, to_customer: bool, agent) -> dict:
    if to_customer:
        link = settings.FRONTLINE_BASE_URL + reverse(
            "portal_ticket", args=[ticket.workspace.slug, ticket.number]
        )
    else:
        link = settings.FRONTLINE_BASE_URL + reverse(
            "ticket", args=[ticket.workspace.slug, ticket.number]
        )
    return {
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.get_status_display(),
        "ticket.link": link,
        "customer.name": ticket.requester.name or ticket.requester.email or "there",
        "agent.name": (agent.display_name if agent else "") or ticket.workspace.name,
        "workspace.name": ticket.workspace.name,
        "message": message.body_text if message else "",
    }


def render(text: str, values: dict, *, as_html: bool = False, message_html: str = "") -> str:
    """Fill the placeholders. As HTML, the template and every value are escaped, except
    the message's own (sanitised) HTML, and line breaks become <br>."""
    if not as_html:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)

    def value(match: re.Match) -> str:
        if match.group(1) == "message" and message_html:
            return message_html
        return html.escape(values.get(match.group(1), "")).replace("\n", "<br>\n")

    return PLACEHOLDER.sub(value, html.escape(text).replace("\n", "<br>\n"))


# ---- what to send after a change --------------------------------------------------------


def on_events(events: list[Event]) -> None:
    """Queue the notifications that a committed change calls for (tickets hook); none
    for history being recorded (the demo)."""
    from frontline.email.tasks import send_notification

    if clock.in_history():
        return

    created = {e.ticket_id for e in events if e.kind == "ticket.created"}
    for e in events:
        ticket = e.ticket
        if ticket is None:
            continue
        after = e.after if isinstance(e.after, dict) else {}
        chat = hooks.conversation_state(ticket) if ticket.channel == Channel.CHAT else None
        if chat in hooks.LIVE_STATES or chat == "ended":
            continue  # said in the chat itself (the rating card, not the "solved" email)
        if e.kind == "ticket.created":
            if e.actor_type == Event.Actor.CUSTOMER and ticket.channel == Channel.EMAIL:
                send_notification.enqueue("received", ticket.pk)
            assignee = after.get("assignee")
            if assignee and assignee != e.actor_user_id:
                send_notification.enqueue("assigned", ticket.pk, user_id=assignee)
        elif e.kind == "ticket.assignee" and e.after and e.after != e.actor_user_id:
            send_notification.enqueue("assigned", ticket.pk, user_id=e.after)
        elif e.kind == "rating.follow_up":
            for user_id in _leads(ticket, after.get("assignee")):
                send_notification.enqueue("follow_up", ticket.pk, user_id=user_id)
        elif e.kind == "ticket.status" and e.after == Status.SOLVED:
            if e.actor_type != Event.Actor.CUSTOMER:
                send_notification.enqueue("solved", ticket.pk)
        elif _customer_wrote(e, after) and e.ticket_id not in created and ticket.assignee_id:
            send_notification.enqueue(
                "customer_replied",
                ticket.pk,
                message_id=after["message"],
                user_id=ticket.assignee_id,
            )


def _leads(ticket: Ticket, assignee: int | None) -> list[int]:
    """Who hears of a bad rating: the team's lead, else the workspace's owners and admins."""
    from frontline.accounts.models import Membership, Role

    if assignee:
        return [assignee]
    return list(
        Membership.objects.filter(
            workspace_id=ticket.workspace_id, role__in=(Role.OWNER, Role.ADMIN)
        ).values_list("user_id", flat=True)
    )


def _customer_wrote(e: Event, after: dict) -> bool:
    return (
        e.kind == "message.added"
        and after.get("visibility") == Message.Visibility.PUBLIC
        and after.get("author") == Message.Author.CUSTOMER
    )


# ---- sending -----------------------------------------------------------------------------


def build(
    kind: str, ticket: Ticket, *, message: Message | None = None, user: User | None = None
) -> EmailMultiAlternatives | None:
    """The email, or None when the switch is off or there is nobody to write to."""
    from frontline.email.outbound import reply_address

    template = template_for(ticket.workspace_id, kind)
    if not template.enabled:
        return None
    to_customer = DEFAULTS[kind].to_customer
    recipient = ticket.requester.email if to_customer else (user.email if user else "")
    if not recipient or (user is not None and not user.is_active):
        return None
    agent = user if not to_customer else (ticket.assignee if message is None else None)
    values = values_for(ticket, message=message, to_customer=to_customer, agent=agent)
    subject = render(template.subject, values)
    if to_customer and not SUBJECT_TOKEN.search(subject):
        subject = f"[#{ticket.number}] {subject}"
    headers = {"Auto-Submitted": "auto-generated", "X-Frontline-Notification": kind}
    if to_customer:  # in the customer's mail program, it joins their conversation
        latest = (
            MessageEmail.objects.filter(message__ticket=ticket, direction=MessageEmail.Direction.IN)
            .order_by("-message_id")
            .values_list("rfc_message_id", flat=True)
            .first()
        )
        if latest:
            headers |= {"In-Reply-To": latest, "References": latest}
    text_body = render(template.body, values)
    html_body = render(
        template.body, values, as_html=True, message_html=message.body_html if message else ""
    )
    for block in _extras.get(kind, []):
        extra = block(ticket)
        if extra:
            text_body += "\n" + extra[0]
            html_body += "\n" + extra[1]
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_address(ticket.number)] if to_customer else None,
        headers=headers,
    )
    mail.attach_alternative(html_body, "text/html")
    return mail


def send(kind: str, ticket_id: int, *, message_id=None, user_id=None, attempt: int = 1) -> str:
    ticket = (
        Ticket.objects.select_related("workspace", "requester", "assignee")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return "ticket gone"
    message = Message.objects.filter(pk=message_id).first() if message_id else None
    user = User.objects.filter(pk=user_id).first() if user_id else None
    mail = build(kind, ticket, message=message, user=user)
    if mail is None:
        return "off"
    try:
        mail.send()
    except (smtplib.SMTPException, OSError) as exc:
        if attempt > len(RETRY_AFTER):
            log.error("notification %s for ticket %s given up: %s", kind, ticket_id, exc)
            return "failed"
        from frontline.email.tasks import send_notification

        run_after = clock.now() + timedelta(seconds=RETRY_AFTER[attempt - 1])
        transaction.on_commit(
            lambda: send_notification.using(run_after=run_after).enqueue(
                kind, ticket_id, message_id=message_id, user_id=user_id, attempt=attempt + 1
            )
        )
        return "retrying"
    return "sent"
