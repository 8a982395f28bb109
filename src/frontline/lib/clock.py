"""The services' clock: the current time, unless history is being replayed.

Importers and the demo generator record past conversations through the same services as
live traffic; `replaying(when)` makes every message, event and timestamp they write carry
that moment instead of now. Outside such a block `now()` is `timezone.now()`.
`recording_history()` around the whole job says the people concerned were told at the
time: nothing is emailed or notified now.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_replay_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "frontline_replay_at", default=None
)
_history: contextvars.ContextVar[bool] = contextvars.ContextVar("frontline_history", default=False)


def now() -> datetime:
    return _replay_at.get() or timezone.now()


@contextlib.contextmanager
def replaying(when: datetime) -> Iterator[None]:
    if timezone.is_naive(when):
        raise ValueError("replaying() needs an aware datetime")
    token = _replay_at.set(when)
    try:
        yield
    finally:
        _replay_at.reset(token)


@contextlib.contextmanager
def recording_history() -> Iterator[None]:
    """Write what already happened without telling anyone again: replies are not emailed
    and no notification goes out. Wrap the whole job, its commits included, since
    notifications are queued after commit."""
    token = _history.set(True)
    try:
        yield
    finally:
        _history.reset(token)


def in_history() -> bool:
    return _history.get()
