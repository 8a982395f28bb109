"""What the agent's ticket page shows of a chat: where the conversation is, accept /
transfer / end, and whether the visitor has read the last reply. Opening the page marks
the visitor's messages read (the widget shows it)."""

from frontline.chat import services
from frontline.chat.assign import transfer_targets
from frontline.chat.models import ChatSession
from frontline.tickets.models import Channel, Message


def chat_panel(user, workspace, ticket) -> dict:
    if ticket.channel != Channel.CHAT:
        return {}
    session = ChatSession.objects.filter(ticket=ticket).first()
    if session is None:
        return {}
    session.ticket = ticket
    public = ticket.messages.filter(visibility=Message.Visibility.PUBLIC)
    last_id = public.order_by("-id").values_list("id", flat=True).first() or 0
    last_reply = (
        public.exclude(author_type=Message.Author.CUSTOMER)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if ticket.assignee_id == user.pk and session.state in ChatSession.LIVE:
        services.mark_read(session, last_id, by_agent=True)
    return {
        "chat": {
            "session": session,
            "live": session.state in ChatSession.LIVE,
            "seen_last_reply": bool(last_reply) and session.visitor_read >= last_reply,
            "colleagues": transfer_targets(session) if session.state in ChatSession.LIVE else [],
            "mine": ticket.assignee_id == user.pk,
        }
    }
