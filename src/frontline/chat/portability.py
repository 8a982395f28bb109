"""Live chat in a workspace export: its settings (the widget key too, so the script tag
on the customer's site keeps working after a move, unless that key is taken here) and
every chat with its read marks and the virtual agent's replies.

A chat still live when exported (with the bot, waiting or with an agent) is imported as
ended: its visitor's widget cannot reconnect to the copy. Its ticket keeps its status,
so an open conversation stays open for the team.
"""

from collections.abc import Iterator

from frontline.accounts.models import Workspace
from frontline.assistant.portability import turn_id
from frontline.chat.models import BotReply, ChatSession, ChatSettings, new_key
from frontline.lib import clock
from frontline.tickets.portability import Importer, Section, parse_time

SETTINGS_FIELDS = (
    "enabled", "key", "allowed_origins", "bot_enabled", "bot_name", "greeting", "ask_details",
    "capacity", "reroute_after",
)  # fmt: skip
SESSION_FIELDS = (
    "state", "visitor_name", "visitor_email", "page_url", "handover_reason", "routed",
)  # fmt: skip
SESSION_TIMES = ("started_at", "waiting_since", "accepted_at", "ended_at")


def export(ws: Workspace) -> Iterator[dict]:
    config = ChatSettings.objects.filter(workspace=ws).first()
    if config is not None:
        yield {"type": "chat_settings", "data": {k: getattr(config, k) for k in SETTINGS_FIELDS}}
    sessions = ChatSession.objects.filter(workspace=ws).select_related("ticket").order_by("pk")
    for s in sessions.iterator(chunk_size=1000):
        yield {
            "type": "chat_session",
            "data": {
                "ticket": s.ticket.number if s.ticket else None,
                "customer": s.customer_id,
                "visitor_read": s.visitor_read,
                "agent_read": s.agent_read,
                **{k: getattr(s, k) for k in SESSION_FIELDS + SESSION_TIMES},
            },
        }
    replies = BotReply.objects.filter(message__workspace=ws).order_by("pk")
    for r in replies.iterator(chunk_size=1000):
        yield {
            "type": "bot_reply",
            "data": {"message": r.message_id, "turn": r.turn_id, "kind": r.kind},
        }


def read_settings(imp: Importer, d: dict) -> None:
    values = {k: d[k] for k in SETTINGS_FIELDS if k in d}
    if not values.get("key") or ChatSettings.objects.filter(key=values["key"]).exists():
        values["key"] = new_key()
    ChatSettings.objects.update_or_create(workspace=imp.workspace, defaults=values)


def read_session(imp: Importer, d: dict) -> None:
    values = {k: d[k] for k in SESSION_FIELDS if k in d}
    values |= {k: parse_time(d.get(k)) for k in SESSION_TIMES}
    if values.get("state") in ChatSession.LIVE:
        values["state"] = ChatSession.State.ENDED
        values["ended_at"] = values.get("ended_at") or clock.now()
    ChatSession.objects.create(
        workspace=imp.workspace,
        ticket=imp.ticket(d["ticket"]) if d.get("ticket") is not None else None,
        customer_id=imp.customer_id(d.get("customer")),
        visitor_read=imp.message_id(d.get("visitor_read")) or 0,
        agent_read=imp.message_id(d.get("agent_read")) or 0,
        **values,
    )


def read_reply(imp: Importer, d: dict) -> None:
    message = imp.message_id(d["message"])
    if message is None:
        raise ValueError(f"bot reply: unknown message {d['message']}")
    BotReply.objects.create(message_id=message, turn_id=turn_id(imp, d["turn"]), kind=d["kind"])


SECTION = Section(
    name="chat",
    position=30,  # after the assistant: bot replies refer to its turns
    export=export,
    readers={
        "chat_settings": read_settings,
        "chat_session": read_session,
        "bot_reply": read_reply,
    },
)
