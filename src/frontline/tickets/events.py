"""Who did something, and the append-only record of it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from frontline.accounts.models import User
from frontline.lib import clock
from frontline.lib.insert import insert_all
from frontline.tickets import hooks
from frontline.tickets.models import Customer, Event, Ticket


@dataclass(frozen=True)
class Actor:
    """The one who causes a change: a user, a customer, the virtual agent or the system."""

    USER = Event.Actor.USER
    CUSTOMER = Event.Actor.CUSTOMER
    BOT = Event.Actor.BOT

    type: str
    user: User | None = None
    customer: Customer | None = None

    @classmethod
    def of(cls, who: "User | Customer | Actor | None") -> "Actor":
        if isinstance(who, Actor):
            return who
        if isinstance(who, User):
            return cls(Event.Actor.USER, user=who)
        if isinstance(who, Customer):
            return cls(Event.Actor.CUSTOMER, customer=who)
        return SYSTEM


SYSTEM = Actor(Event.Actor.SYSTEM)
BOT = Actor(Event.Actor.BOT)


def event(
    workspace_id: int,
    by: Actor,
    kind: str,
    *,
    ticket: Ticket | None = None,
    before: Any = None,
    after: Any = None,
) -> Event:
    """An unsaved Event; services save their events together with bulk_create."""
    return Event(
        workspace_id=workspace_id,
        ticket=ticket,
        actor_type=by.type,
        actor_user=by.user,
        actor_customer=by.customer,
        kind=kind,
        before=before,
        after=after,
        created_at=clock.now(),
    )


_batch: ContextVar[list[Event] | None] = ContextVar("events_batch", default=None)


def record(events: list[Event]) -> None:
    """Save events (with the services' other writes, in their transaction)."""
    batch = _batch.get()
    if batch is not None:
        batch.extend(events)
    else:
        _write(events)


@contextmanager
def recorded_together() -> Iterator[None]:
    """Events recorded inside the block are saved in one INSERT as it ends (use it inside
    the transaction). Creating a ticket records events from three apps, and each INSERT
    is time spent holding SQLite's single write lock. Nothing inside may read them back
    from the database before the block ends."""
    if _batch.get() is not None:  # an outer block writes them
        yield
        return
    batch: list[Event] = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    _write(batch)


def _write(events: list[Event]) -> None:
    if events:
        insert_all(events)
        if hooks.has_events_committed_hooks():
            transaction.on_commit(lambda: hooks.events_committed(events))
