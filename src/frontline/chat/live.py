"""What the widget is told: messages and the conversation's state, pushed after commit
to every open widget of the conversation (its Channels group), and the agents' pages told
that the chat changed (the workspace's change notices)."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from frontline.chat.models import ChatSession
from frontline.lib import realtime
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Message

State = ChatSession.State
FILE_SALT = "frontline.chat.file"


def group(session_id: int) -> str:
    return f"chat.{session_id}"


def push(session: ChatSession, payload) -> None:
    """To every open widget of the session, after commit. `payload` is a dict, or a
    function that makes it after commit (a message whose details are still being written)."""

    def send():
        data = payload() if callable(payload) else payload
        realtime.send_group(group(session.pk), {"type": "chat.event", "payload": data})

    transaction.on_commit(send)


def push_message(session: ChatSession, message_id: int) -> None:
    def payload():
        return message_of(
            Message.objects.select_related(
                "author_user", "ticket__workspace", "bot_reply__turn__article"
            )
            .prefetch_related("attachments")
            .get(pk=message_id),
            session.pk,
        )

    push(session, payload)


def changed(session: ChatSession) -> None:
    """Tell the widget the new state, and the agents' pages that the chat changed."""
    push(session, state_of(session))
    if session.ticket_id:
        realtime.ticket_changed(
            session.workspace_id, session.ticket_id, session.ticket.number, ["chat"]
        )


def tell_agent(session: ChatSession, user_id: int, text: str) -> None:
    """A notice on the agent's open pages that this chat is now theirs, with its link."""
    realtime.tell_member(
        session.workspace_id,
        user_id,
        {
            "text": f"{text}: {session.ticket.subject}",
            "url": reverse("ticket", args=[session.workspace.slug, session.ticket.number]),
            "tag": f"chat-{session.pk}",
        },
    )


def visitor_presence(session: ChatSession, typing: bool) -> dict:
    """The visitor typing (or not), as the agents' ticket pages hear presence."""
    return {
        "type": "ticket.presence",
        "user_id": f"visitor-{session.pk}",
        "name": session.visitor_name or "The visitor",
        "state": "typing" if typing else "viewing",
        "reply_to": None,
    }


def state_of(session: ChatSession) -> dict:
    """What the widget shows about the conversation right now."""
    agent = session.ticket.assignee if session.ticket_id else None
    out = {
        "kind": "state",
        "state": session.state,
        "agent": agent.display_name if agent and session.state == State.ACTIVE else "",
        "ticket": session.ticket.number if session.ticket_id else None,
        "agent_read": session.agent_read,
        "has_email": bool(session.visitor_email or (session.customer and session.customer.email)),
    }
    if session.state == State.WAITING:
        out["position"] = ChatSession.objects.filter(
            workspace_id=session.workspace_id,
            state=State.WAITING,
            waiting_since__lte=session.waiting_since,
        ).count()
    return out


def file_token(attachment_id: int, session_id: int) -> str:
    return signing.dumps({"a": attachment_id, "s": session_id}, salt=FILE_SALT)


def message_of(message: Message, session_id: int, files=None) -> dict:
    """A ticket message as the widget shows it (text only: the widget never renders HTML).
    Its files are links signed for this conversation."""
    if message.author_type == Message.Author.CUSTOMER:
        author, name = "visitor", ""
    elif message.author_type == Message.Author.BOT:
        author, name = "bot", ""
    else:
        author = "agent"
        name = message.author_user.display_name if message.author_user else "Support"
    out = {
        "kind": "message",
        "id": message.pk,
        "author": author,
        "name": name,
        "text": message.body_text,
        "at": message.created_at.isoformat(),
    }
    files = message.attachments.all() if files is None else files
    if files:
        out["files"] = [
            {"name": f.filename, "size": f.size,
             "url": settings.FRONTLINE_BASE_URL
             + reverse("chat_file", args=[file_token(f.pk, session_id)])}
            for f in files
        ]  # fmt: skip
    bot = getattr(message, "bot_reply", None) if author == "bot" else None
    if bot is not None:
        out["turn"] = bot.turn_id
        out["answer"] = bot.kind == "answer"
        article = bot.turn.article
        if article is not None:
            out["citation"] = {
                "title": article.title,
                "url": settings.FRONTLINE_BASE_URL
                + reverse("hc_article", args=[message.ticket.workspace.slug, article.slug]),
            }
    return out


def history(session: ChatSession, after: int = 0) -> list[dict]:
    if not session.ticket_id:
        return []
    rows = (
        Message.objects.filter(
            ticket_id=session.ticket_id, visibility=Message.Visibility.PUBLIC, pk__gt=after
        )
        .select_related("author_user", "ticket__workspace", "bot_reply__turn__article")
        .prefetch_related("attachments")
        .order_by("id")
    )
    return [message_of(m, session.pk) for m in rows]


def log(session: ChatSession, by: Actor, kind: str, after: dict) -> None:
    record([event(session.workspace_id, by, kind, ticket=session.ticket, after=after)])
