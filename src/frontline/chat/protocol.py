"""What the widget may say, the same over the websocket and over the polling fallback.

A command is a JSON object with a `type`; the answer is a list of events for the widget
that sent it (the other open widgets of the conversation get theirs through the group).
A refused command answers `{"kind": "error", "code", "message"}` and changes nothing.

    hello    {token?, after}        the conversation so far (after a message id) and its state
    start    {name?, email?, page?} a new conversation: answers its token
    message  {text, client_id?}     the visitor writes; answered with an ack (delivered)
    verdict  {turn, helped}         "did this answer help?"
    person                          ask for a person
    email    {email}                leave an address for an answer by email
    read     {up_to}                the visitor has seen up to this message
    rate     {score}                the rating card after the chat ended
    end                             the visitor closes the conversation
"""

from dataclasses import dataclass, field

from django.conf import settings

from frontline.chat import services, transcript
from frontline.chat.models import ChatSession, ChatSettings
from frontline.lib import throttle
from frontline.lib.errors import ServiceError


@dataclass
class Outcome:
    session: ChatSession | None
    events: list[dict] = field(default_factory=list)


def _int(command: dict, key: str) -> int:
    try:
        return int(command.get(key) or 0)
    except (TypeError, ValueError):
        raise ServiceError(f"{key} must be a number", code="invalid", status=400) from None


def handle(current: ChatSettings, session: ChatSession | None, command, *, ip: str) -> Outcome:
    try:
        return _handle(current, session, command, ip=ip)
    except ServiceError as e:
        message = e.details[0].message if e.details else e.message
        return Outcome(session, [{"kind": "error", "code": e.code, "message": message}])


def _handle(current: ChatSettings, session, command, *, ip: str) -> Outcome:
    if not isinstance(command, dict) or not isinstance(command.get("type"), str):
        raise ServiceError("A command needs a type", code="invalid", status=400)
    kind = command["type"]
    workspace = current.workspace
    if kind == "hello":
        token = command.get("token")
        if token and session is None:
            session = services.session_for(workspace, str(token))
        return Outcome(session, welcome(current, session, _int(command, "after")))
    if kind == "start":
        if session is not None and session.state != ChatSession.State.ENDED:
            return Outcome(session, welcome(current, session, 0))
        if not throttle.allow(f"chat-start:{ip}", settings.FRONTLINE_CHAT_STARTS_PER_HOUR, 3600):
            raise ServiceError(
                "Too many new conversations from here; please try again later",
                code="rate_limited",
                status=429,
            )
        session = services.start(
            workspace,
            name=str(command.get("name") or ""),
            email=str(command.get("email") or ""),
            page=str(command.get("page") or ""),
        )
        return Outcome(session, welcome(current, session, 0))
    if session is None:
        raise ServiceError("Start a conversation first", code="no_conversation", status=409)
    session.refresh_from_db()  # another socket or an agent may have changed it meanwhile
    if kind == "message":
        client_id = str(command.get("client_id") or "")
        message = services.visitor_says(
            session, str(command.get("text") or ""), client_id=client_id
        )
        session.ticket_id = message.ticket_id  # the first message opened it
        ack = {"kind": "ack", "client_id": command.get("client_id"), "id": message.pk}
        return Outcome(session, [ack])
    if kind == "verdict":
        services.verdict(session, _int(command, "turn"), helped=bool(command.get("helped")))
    elif kind == "person":
        services.ask_for_person(session)
    elif kind == "email":
        services.leave_email(session, str(command.get("email") or ""))
    elif kind == "read":
        services.mark_read(session, _int(command, "up_to"), by_agent=False)
    elif kind == "typing":  # the polling widget's; over the socket the consumer sends it
        services.visitor_typing(session, bool(command.get("typing")))
    elif kind == "rate":
        services.rate(session, _int(command, "score"))
    elif kind == "end":
        services.end_by_visitor(session)
    elif kind == "transcript":
        address = transcript.email_transcript(session, str(command.get("email") or ""))
        return Outcome(
            session, [{"kind": "notice", "text": f"We sent the conversation to {address}."}]
        )
    else:
        raise ServiceError(f"Unknown command {kind!r}", code="invalid", status=400)
    return Outcome(session, [])


def welcome(current: ChatSettings, session: ChatSession | None, after: int) -> list[dict]:
    """What a widget needs when it (re)connects: settings, the token, what it missed."""
    hello = {
        "kind": "hello",
        "bot_name": current.bot_name,
        "greeting": current.greeting,
        "ask_details": current.ask_details,
        "token": services.token_for(session) if session else None,
    }
    if session is None:
        return [hello]
    session.refresh_from_db()
    return [hello, *services.history(session, after), services.state_of(session)]
