"""Who takes a chat: an online agent with room (the ticket's team first), else a place
in line, else (nobody online, or the business closed) a request answered by email."""

from django.db import transaction
from django.db.models import Count

from frontline.accounts import business_hours, presence
from frontline.accounts.access import agent_memberships
from frontline.accounts.models import User, Workspace
from frontline.chat.config import settings_for
from frontline.chat.live import changed, log, tell_agent
from frontline.chat.models import ChatSession, ChatSettings
from frontline.lib import clock
from frontline.tickets import services as tickets
from frontline.tickets.events import SYSTEM, Actor
from frontline.tickets.models import Status

State = ChatSession.State


def active_load(workspace_id: int) -> dict[int, int]:
    """Live chats per agent."""
    rows = (
        ChatSession.objects.filter(workspace_id=workspace_id, state=State.ACTIVE)
        .values("ticket__assignee")
        .annotate(n=Count("id"))
    )
    return {r["ticket__assignee"]: r["n"] for r in rows if r["ticket__assignee"]}


def available_agents(workspace: Workspace) -> list[User]:
    """Agents who are online and not marked away, in id order."""
    members = [m.user for m in agent_memberships(workspace).filter(is_available=True)]
    here = presence.online(workspace.pk, [u.pk for u in members])
    return sorted((u for u in members if u.pk in here), key=lambda u: u.pk)


def transfer_targets(session: ChatSession) -> list[tuple[User, str | None]]:
    """Colleagues a chat can go to, each with why not (None: online with room), the ones
    who can take it first. Away, offline or full agents would leave the visitor waiting."""
    capacity = settings_for(session.workspace).capacity
    load = active_load(session.workspace_id)
    here = {u.pk for u in available_agents(session.workspace)}
    targets = []
    for m in agent_memberships(session.workspace).exclude(user_id=session.ticket.assignee_id):
        user = m.user
        if user.pk not in here:
            why = "away" if not m.is_available else "offline"
        elif load.get(user.pk, 0) >= capacity:
            why = f"full, {capacity} chats"
        else:
            why = None
        targets.append((user, why))
    return sorted(targets, key=lambda t: (t[1] is not None, t[0].display_name.lower()))


def _pick_agent(session: ChatSession, leave_out: int | None = None) -> tuple[User | None, bool]:
    """(the agent with the most room, whether anyone is online at all)."""
    agents = [a for a in available_agents(session.workspace) if a.pk != leave_out]
    if not agents:
        return None, False
    capacity = settings_for(session.workspace).capacity
    load = active_load(session.workspace_id)
    free = [a for a in agents if load.get(a.pk, 0) < capacity]
    team = session.ticket.team if session.ticket_id else None
    if team is not None:
        members = set(team.members.values_list("pk", flat=True))
        free = [a for a in free if a.pk in members] or free
    if not free:
        return None, True
    return min(free, key=lambda a: (load.get(a.pk, 0), a.pk)), True


def route(session: ChatSession, reason: str) -> None:
    """Hand the (locked) session to a person: an agent now, a place in line, or a request
    answered later by email. Caller holds a transaction."""
    now = clock.now()
    ws = session.workspace
    session.handover_reason = reason[:200]
    open_now = business_hours.is_open(ws.business_hours, ws.time_zone, now)
    agent, anyone = _pick_agent(session) if open_now else (None, False)
    if agent is not None:
        give(session, agent, by=SYSTEM)
    elif anyone:
        session.state, session.waiting_since = State.WAITING, now
    else:
        session.state = State.OFFLINE
    session.save(
        update_fields=["handover_reason", "state", "waiting_since", "accepted_at", "routed"]
    )
    log(session, SYSTEM, "chat.handover", {"reason": reason, "state": session.state})
    changed(session)


def give(session: ChatSession, agent: User, *, by: Actor) -> None:
    if session.ticket.assignee_id != agent.pk or session.ticket.status == Status.NEW:
        tickets.update_ticket(
            session.ticket, by=by, changes={"assignee": agent, "status": Status.OPEN}
        )
    session.state = State.ACTIVE
    session.accepted_at = session.accepted_at or clock.now()
    session.routed = by is SYSTEM  # given, not taken: passed on if it goes unanswered
    if by is SYSTEM:  # routed, not taken: the agent may be on another page or tab
        who = session.customer.name if session.customer_id else ""
        tell_agent(session, agent.pk, f"New chat from {who or session.visitor_name or 'a visitor'}")


def reroute_unanswered(workspace_id: int) -> int:
    """Chats an agent was given (by routing) and has not answered within the workspace's
    `reroute_after` minutes go to another agent with room; with nobody else free they
    stay. Returns how many moved."""
    from datetime import timedelta

    from frontline.tickets.models import Message

    current = ChatSettings.objects.filter(workspace_id=workspace_id).first()
    if current is None or not current.reroute_after:
        return 0
    cutoff = clock.now() - timedelta(minutes=current.reroute_after)
    moved = 0
    candidates = ChatSession.objects.filter(
        workspace_id=workspace_id, state=State.ACTIVE, accepted_at__lt=cutoff, routed=True
    ).values_list("pk", flat=True)
    for pk in candidates:
        with transaction.atomic():
            session = (
                ChatSession.objects.select_for_update(of=("self",))
                .select_related("workspace", "ticket", "customer")
                .get(pk=pk)
            )
            if session.state != State.ACTIVE or not session.routed:
                continue
            agent_id = session.ticket.assignee_id
            answered = Message.objects.filter(
                ticket_id=session.ticket_id, author_type=Message.Author.AGENT,
                created_at__gte=session.accepted_at,
            ).exists()  # fmt: skip
            if answered:
                ChatSession.objects.filter(pk=pk).update(routed=False)  # in hand: leave it
                continue
            agent, _ = _pick_agent(session, leave_out=agent_id)
            if agent is None:
                continue
            give(session, agent, by=SYSTEM)
            session.accepted_at = clock.now()  # the new agent's own minutes start now
            session.save(update_fields=["state", "accepted_at", "routed"])
            log(session, SYSTEM, "chat.rerouted", {"from": agent_id, "to": agent.pk,
                                                   "minutes": current.reroute_after})  # fmt: skip
            changed(session)
            moved += 1
    return moved


def route_waiting(workspace_id: int) -> int:
    """Give waiting chats, oldest first, to agents who now have room. Returns how many."""
    given = 0
    for pk in (
        ChatSession.objects.filter(workspace_id=workspace_id, state=State.WAITING)
        .order_by("waiting_since", "pk")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            session = (
                ChatSession.objects.select_for_update(of=("self",))
                .select_related("workspace", "ticket")
                .get(pk=pk)
            )
            if session.state != State.WAITING:
                continue
            agent, _ = _pick_agent(session)
            if agent is None:
                break
            give(session, agent, by=SYSTEM)
            session.save(update_fields=["state", "accepted_at", "routed"])
            changed(session)
            given += 1
    return given


def came_online(workspace_id: int, user_id: int) -> None:
    """Presence listener: an agent opened the workspace; waiting chats may go to them."""
    if ChatSession.objects.filter(workspace_id=workspace_id, state=State.WAITING).exists():
        route_waiting(workspace_id)
