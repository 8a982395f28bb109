"""The services' clock: the current time, unless history is being replayed.

Importers and the demo generator record past conversations through the same services as
live traffic; `replaying(when)` makes every message, event and timestamp they write carry
that moment instead of now. Outside such a block `now()` is `timezone.now()`.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_replay_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "frontline_replay_at", default=None
)


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
