"""Live chat: a visitor's conversation from the virtual agent to a person and back.

The conversation is a chat-channel ticket; everything said is a ticket message written
through the tickets services, so the agent workspace, search and reports see it like any
other request. What happens after commit reaches the visitor's open widgets through the
Channels group of the session (`push`), and the agents through the workspace's change
notices.

Hand-over: when the virtual agent is not sure, the visitor asks for a person or says an
answer did not help, the chat goes to an online agent with room for it (capacity per
agent, the ticket's team first); when all are busy it waits in line; when nobody is
online or the business is closed it becomes a request answered by email.
"""

from django.db import transaction
from django.db.models import Q

from frontline.accounts.models import User, Workspace
from frontline.chat.assign import active_load as active_load
from frontline.chat.assign import available_agents as available_agents
from frontline.chat.assign import came_online as came_online
from frontline.chat.assign import give, route, transfer_targets
from frontline.chat.assign import route_waiting as route_waiting
from frontline.chat.config import by_key as by_key
from frontline.chat.config import origin_allowed as origin_allowed
from frontline.chat.config import rotate_key as rotate_key
from frontline.chat.config import session_for as session_for
from frontline.chat.config import settings_for
from frontline.chat.config import token_for as token_for
from frontline.chat.config import update_settings as update_settings
from frontline.chat.live import (
    changed,
    log,
    message_of,
    push,
    push_message,
    tell_agent,
    visitor_presence,
)
from frontline.chat.live import group as group
from frontline.chat.live import history as history
from frontline.chat.live import state_of as state_of
from frontline.chat.models import BotReply, ChatSession, VisitorSend
from frontline.lib import clock, realtime, throttle
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets import services as tickets
from frontline.tickets.events import BOT, SYSTEM, Actor
from frontline.tickets.models import Channel, CustomerEmail, Message, Status, Ticket
from frontline.tickets.services.customers import normalize_email

State = ChatSession.State
MAX_TEXT = 2000
MESSAGES_PER_MINUTE = 20


# ---- the visitor -------------------------------------------------------------------------


def start(workspace: Workspace, *, name: str = "", email: str = "", page: str = "") -> ChatSession:
    name = (name or "").strip()[:200]
    email = normalize_email(email) if (email or "").strip() else ""
    current = settings_for(workspace)
    if current.ask_details and not email:
        raise invalid("email", "Please give your email address")
    return ChatSession.objects.create(
        workspace=workspace, visitor_name=name, visitor_email=email, page_url=(page or "")[:500]
    )


def _customer(session: ChatSession):
    if session.customer_id:
        return session.customer
    ws = session.workspace
    if session.visitor_email:
        customer = tickets.customer_for_email(
            ws, session.visitor_email, name=session.visitor_name, by=SYSTEM
        )
    else:
        name = session.visitor_name or f"Chat visitor {session.pk}"
        customer = tickets.create_customer(ws, by=SYSTEM, name=name)
    session.customer = customer
    return customer


def visitor_sends_file(session: ChatSession, upload, *, client_id: str = "") -> Message:
    """A file from the widget: stored (size limit, type judged by content), then said as a
    message of its own; the virtual agent does not answer files."""
    if (sent := _already_sent(session, client_id)) is not None:
        return sent
    attachment = tickets.store_attachment(session.workspace, upload, by=None)
    text = f"Sent a file: {attachment.filename}"
    return visitor_says(session, text, files=[attachment], client_id=client_id)


def _already_sent(session: ChatSession, client_id: str) -> Message | None:
    if not client_id:
        return None
    found = VisitorSend.objects.filter(session=session, client_id=client_id[:64])
    return Message.objects.filter(pk__in=found.values("message_id")).first()


def visitor_says(session: ChatSession, text: str, *, files=(), client_id: str = "") -> Message:
    """The visitor writes. The first message opens the chat's ticket; the virtual agent
    answers while the chat is with it. A message the widget sends again (same
    `client_id`) is the one already stored: not stored, pushed or answered twice."""
    if (sent := _already_sent(session, client_id)) is not None:
        return sent
    text = (text or "").strip()
    if not text:
        raise invalid("text", "Write a message first")
    if len(text) > MAX_TEXT:
        raise invalid("text", f"A message can have at most {MAX_TEXT} characters")
    if not throttle.allow(f"chat:{session.pk}", MESSAGES_PER_MINUTE, 60):
        raise ServiceError(
            "You are sending messages very quickly; please wait a moment",
            code="rate_limited",
            status=429,
        )
    current = settings_for(session.workspace)
    with transaction.atomic():
        session = (
            ChatSession.objects.select_for_update(of=("self",))
            .select_related("workspace", "ticket", "customer")
            .get(pk=session.pk)
        )
        if (sent := _already_sent(session, client_id)) is not None:
            return sent  # the same message on another socket, a moment ago
        before = (session.customer_id, session.ticket_id, session.state)
        customer = _customer(session)
        if session.ticket_id is None:
            ticket = tickets.create_ticket(
                session.workspace, by=Actor.of(customer), subject=_subject(text), body=text,
                requester=customer, channel=Channel.CHAT, attachments=files,
            )  # fmt: skip
            session.ticket = ticket
            message = ticket.messages.get()
        else:
            message = tickets.add_customer_message(
                session.ticket, customer, body=text, attachments=files
            )
            session.ticket = message.ticket  # a closed ticket's follow-up
        restarted = session.state == State.ENDED
        if restarted:
            session.state = State.BOT if _bot_on(session.workspace, current) else session.state
            session.ended_at = None
        if (session.customer_id, session.ticket_id, session.state) != before:
            session.save(update_fields=["customer", "ticket", "state", "ended_at"])
        if client_id:
            VisitorSend.objects.create(session=session, client_id=client_id[:64], message=message)
        push(session, message_of(message, session.pk, files=list(files)))
        if restarted:
            changed(session)
        if session.state == State.BOT and not files:
            if _bot_on(session.workspace, current):
                _bot_answers(session, text)
            else:
                route(session, "no virtual agent")
        elif session.state == State.ENDED:
            route(session, "wrote again")
    return message


def _bot_on(workspace: Workspace, current) -> bool:
    from frontline.assistant import virtual_agent

    return virtual_agent.on_duty(workspace, "chat", chat_on=current.bot_enabled)


def _subject(text: str) -> str:
    line = text.splitlines()[0]
    return line if len(line) <= 80 else line[:77].rsplit(" ", 1)[0] + "…"


def _bot_answers(session: ChatSession, text: str) -> None:
    """The virtual agent's turn. Right after an answer, "yes thanks" or "that did not
    help" is the visitor's verdict on it, not a new question; after a question back, the
    visitor's reply is read together with what they asked first."""
    from frontline.assistant import virtual_agent

    last = _last_turn(session)
    if last is not None and last.outcome == "open":
        helped = virtual_agent.verdict_in(text) if last.kind == "answer" else None
        if helped is not None:
            _settled(session, last, helped=helped, typed=True)
            return
        if last.kind == "clarify":
            chosen = virtual_agent.choose(session.workspace, last, text)
            if chosen is not None:
                _bot_says(session, last.question, chosen)
                return
            text = f"{last.question}\n{text}"[-1000:]  # the earlier words give context
    _bot_says(session, text, virtual_agent.reply(session.workspace, text))


def _bot_says(session: ChatSession, question: str, answer, *, before: str = "") -> None:
    from frontline.assistant import virtual_agent

    turn = virtual_agent.record(
        session.workspace, question, answer, channel="chat", ticket=session.ticket
    )
    text = f"{before}\n\n{answer.text}" if before else answer.text
    citation = answer.citation
    if citation is not None:
        text += "\n\n" + _say(session, "source", title=citation.title)
    message = tickets.reply(session.ticket, by=BOT, body=text)
    BotReply.objects.create(message=message, turn=turn, kind=answer.kind)
    if answer.kind == "handover":
        route(session, answer.reason or "virtual agent not sure")


def _say(session: ChatSession, key: str, **values) -> str:
    from frontline.assistant import bot_voice
    from frontline.assistant.services import settings_for as assistant_settings

    return bot_voice.say(assistant_settings(session.workspace_id).bot_tone, key, **values)


def _last_turn(session: ChatSession):
    reply = (
        BotReply.objects.filter(message__ticket_id=session.ticket_id)
        .select_related("turn")
        .order_by("-message_id")
        .first()
    )
    return reply.turn if reply else None


def _settled(session: ChatSession, turn, *, helped: bool, typed: bool) -> None:
    """The visitor's verdict on an answer. "It helped" is thanked; "it did not" gets one
    answer from another article when the agent is sure of it, else a person."""
    from frontline.assistant import virtual_agent

    if not virtual_agent.settle(turn, helped=helped) or session.state != State.BOT:
        return
    if helped:
        if typed:
            tickets.reply(session.ticket, by=BOT, body=_say(session, "glad"))
        else:
            push(session, {"kind": "notice", "text": _say(session, "glad")})
        return
    second = virtual_agent.second_try(session.workspace, turn) if typed else None
    if second is not None:
        _bot_says(session, turn.question, second, before=_say(session, "retry"))
        return
    if typed:
        tickets.reply(session.ticket, by=BOT, body=_say(session, "did_not_help"))
    route(session, "the answer did not help")


def verdict(session: ChatSession, turn_id: int, *, helped: bool) -> None:
    """The visitor's buttons under an answer: "That helped", or "Talk to a person"."""
    reply = (
        BotReply.objects.select_related("turn")
        .filter(turn_id=turn_id, message__ticket_id=session.ticket_id)
        .first()
    )
    if reply is None:
        raise invalid("turn", "No such answer in this conversation")
    with transaction.atomic():
        session = ChatSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        _settled(session, reply.turn, helped=helped, typed=False)


def ask_for_person(session: ChatSession) -> None:
    from frontline.assistant import virtual_agent

    with transaction.atomic():
        session = ChatSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if session.state == State.BOT and session.ticket_id:
            last = _last_turn(session)
            if last is not None and last.kind != "answer" and last.outcome == "open":
                # After "do you mean A or B?": handed over at their wish, not abandoned.
                last.reason = "asked for a person"
                last.save(update_fields=["reason"])
            if last is not None:
                virtual_agent.settle(last, helped=False)  # an answer: it did not help
            route(session, "asked for a person")


def leave_email(session: ChatSession, email: str) -> None:
    """Offline or tired of waiting: the visitor leaves an address for the answer."""
    email = normalize_email(email)
    with transaction.atomic():
        session = (
            ChatSession.objects.select_for_update(of=("self",))
            .select_related("customer", "workspace")
            .get(pk=session.pk)
        )
        session.visitor_email = email
        fields = ["visitor_email"]
        customer = session.customer
        if customer is not None and not customer.email:
            known = (
                CustomerEmail.objects.filter(workspace_id=session.workspace_id, email=email)
                .select_related("customer")
                .first()
            )
            if known is None:
                tickets.update_customer(customer, by=SYSTEM, changes={"email": email})
            else:  # the anonymous visitor was this customer all along
                session.customer = tickets.merge_customers(customer, known.customer, by=SYSTEM)
                fields.append("customer")
        if session.state == State.WAITING:
            session.state = State.OFFLINE
            fields.append("state")
        session.save(update_fields=fields)
        changed(session)


def end_by_visitor(session: ChatSession) -> None:
    with transaction.atomic():
        session = (
            ChatSession.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .get(pk=session.pk)
        )
        if session.state not in ChatSession.LIVE:
            return
        was = session.state
        # Still waiting: the request stays open for the team to answer by email.
        session.state = State.OFFLINE if was == State.WAITING else State.ENDED
        session.ended_at = clock.now()
        session.save(update_fields=["state", "ended_at"])
        if session.ticket_id:
            log(session, BOT if was == State.BOT else Actor.of(session.customer), "chat.ended",
                 {"by": "visitor"})  # fmt: skip
            if was == State.BOT and session.ticket.status != Status.SOLVED:
                tickets.update_ticket(session.ticket, by=BOT, changes={"status": Status.SOLVED})
        changed(session)
    if was == State.ACTIVE:
        route_waiting(session.workspace_id)


def visitor_typing(session: ChatSession, typing: bool) -> None:
    """Tell the agents on the chat's ticket page that the visitor types (or stopped)."""
    from frontline.tickets.consumers import ticket_group

    if not session.ticket_id:
        return  # nobody to tell before the first message
    realtime.send_group(ticket_group(session.ticket_id), visitor_presence(session, typing))


def mark_read(session: ChatSession, up_to: int, *, by_agent: bool) -> None:
    field = "agent_read" if by_agent else "visitor_read"
    if up_to <= getattr(session, field):
        return
    ChatSession.objects.filter(pk=session.pk, **{f"{field}__lt": up_to}).update(**{field: up_to})
    setattr(session, field, up_to)
    if by_agent:
        push(session, {"kind": "read", "up_to": up_to})
    elif session.ticket_id:
        realtime.ticket_changed(
            session.workspace_id, session.ticket_id, session.ticket.number, ["chat"]
        )


# ---- routing to people -------------------------------------------------------------------


# ---- the agent ---------------------------------------------------------------------------


def _locked(session: ChatSession) -> ChatSession:
    return (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("workspace", "ticket")
        .get(pk=session.pk)
    )


def accept(session: ChatSession, *, by: User) -> None:
    """An agent takes a chat from the line (or from the virtual agent, or back from
    offline while the visitor is still there)."""
    with transaction.atomic():
        session = _locked(session)
        if session.state == State.ENDED:
            raise ServiceError("This chat has ended", code="chat_ended", status=409)
        if session.state == State.ACTIVE and session.ticket.assignee_id not in (None, by.pk):
            raise ServiceError(
                f"{session.ticket.assignee.display_name} is already in this chat",
                code="taken",
                status=409,
            )
        give(session, by, by=Actor.of(by))
        session.save(update_fields=["state", "accepted_at", "routed"])
        log(session, Actor.of(by), "chat.accepted", {"agent": by.pk})
        changed(session)


def transfer(session: ChatSession, to: User, *, by: User) -> None:
    with transaction.atomic():
        session = _locked(session)
        if session.state != State.ACTIVE:
            raise ServiceError("Only a chat in progress can be transferred", code="not_active",
                               status=409)  # fmt: skip
        if to.pk == session.ticket.assignee_id:
            raise invalid("to", "This agent is already in the chat")
        why = dict((u.pk, why) for u, why in transfer_targets(session)).get(to.pk, "not here")
        if why is not None:
            raise invalid("to", f"{to.display_name} cannot take it now ({why})")
        tickets.update_ticket(session.ticket, by=Actor.of(by), changes={"assignee": to})
        # A person chose who takes it over: not passed on again by the unanswered rule.
        session.routed = False
        session.save(update_fields=["routed"])
        log(session, Actor.of(by), "chat.transferred", {"from": by.pk, "to": to.pk})
        tell_agent(session, to.pk, f"{by.display_name} passed you a chat")
        changed(session)
    route_waiting(session.workspace_id)


def end(session: ChatSession, *, by: User) -> None:
    """The agent ends the chat: the request is solved and the visitor is asked how it
    went (the rating card in the widget)."""
    with transaction.atomic():
        session = _locked(session)
        if session.state == State.ENDED:
            return
        session.state, session.ended_at = State.ENDED, clock.now()
        session.save(update_fields=["state", "ended_at"])
        log(session, Actor.of(by), "chat.ended", {"by": "agent"})
        if session.ticket_id and session.ticket.status != Status.SOLVED:
            tickets.update_ticket(
                session.ticket, by=Actor.of(by), changes={"status": Status.SOLVED}
            )
        changed(session)
        push(session, {"kind": "ended", "survey": _survey(session.ticket)})
    route_waiting(session.workspace_id)


def _survey(ticket: Ticket | None) -> dict | None:
    from frontline.feedback import services as feedback

    prompt = feedback.portal_prompt(ticket) if ticket is not None else None
    if prompt is None or prompt["rating"] is not None:
        return None
    return {"question": prompt["question"], "scale": [[s, label] for s, label in prompt["scale"]]}


def rate(session: ChatSession, score: int) -> None:
    from frontline.feedback import services as feedback

    if session.state != State.ENDED or not session.ticket_id:
        raise ServiceError("Rate the chat once it has ended", code="not_ended", status=409)
    feedback.rate(session.ticket, score, via="chat")
    push(session, {"kind": "notice", "text": "Thank you for your rating!"})


def on_reply(message: Message) -> None:
    """Tickets hook: an agent's reply on a chat reaches the widget; an agent who answers
    a chat that is not with a person yet takes it."""
    ticket = message.ticket
    if ticket.channel != Channel.CHAT or message.visibility != Message.Visibility.PUBLIC:
        return
    session = ChatSession.objects.filter(ticket=ticket).first()
    if session is None:
        return
    session.ticket = ticket
    push_message(session, message.pk)
    if (
        message.author_type == Message.Author.AGENT
        and session.state in (State.BOT, State.WAITING)
        and ticket.assignee_id == message.author_user_id
    ):
        session.state, session.accepted_at = State.ACTIVE, clock.now()
        session.save(update_fields=["state", "accepted_at"])
        changed(session)


def conversation_state(ticket: Ticket) -> str | None:
    """Tickets hook: the chat's state, so email stays quiet while the visitor is here."""
    if ticket.channel != Channel.CHAT:
        return None
    return ChatSession.objects.filter(ticket=ticket).values_list("state", flat=True).first()


def waiting_and_live(workspace: Workspace):
    """The agents' chat list: live chats first, the line in order."""
    return (
        ChatSession.objects.filter(workspace=workspace)
        .filter(Q(state__in=ChatSession.LIVE) | Q(state=State.OFFLINE, ticket__status=Status.OPEN))
        .exclude(ticket=None)
        .select_related("ticket", "ticket__assignee", "customer")
        .order_by("state", "waiting_since", "started_at")
    )


def forget_customer(customer, ticket_ids: list[int]) -> None:
    """tickets hook (erasure): their chats, with what the visitor typed in the form."""
    ChatSession.objects.filter(Q(customer=customer) | Q(ticket_id__in=ticket_ids)).delete()


def customer_data(customer, data: dict) -> None:
    """tickets hook (right of access): their chats (the messages are in the tickets)."""
    sessions = ChatSession.objects.filter(Q(customer=customer) | Q(ticket__requester=customer))
    data["chats"] = [
        {"ticket": s.ticket.number if s.ticket else None, "name_given": s.visitor_name,
         "email_given": s.visitor_email, "page": s.page_url, "started_at": s.started_at,
         "ended_at": s.ended_at}
        for s in sessions.select_related("ticket").distinct()
    ]  # fmt: skip
