"""Short-lived copies of the few rows read on every request: a token's owner, a workspace's
teams, its assistant settings, routing rules and active model.

Each costs an ORM query of a few tenths of a millisecond, which on a busy desk adds up to
a large share of a ticket create. Copies go through Django's default cache, so every
caller gets its own unpickled objects (nothing is shared between requests). With Redis
configured all processes share the copies and a change is seen everywhere at once; with
the embedded local-memory cache each process keeps its own, and a change made in another
process shows there after at most FRONTLINE_CACHE_SECONDS (a change made in the same
process, at once).

Whoever owns the rows calls `forget` when they change (services, or the models' save and
delete signals where rows change in many places).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

_PREFIX = "fl:rows:"
_MISSING = object()


def read[T](key: str, load: Callable[[], T]) -> T:
    """The cached value of `key`, or `load()` (cached for next time)."""
    seconds = settings.FRONTLINE_CACHE_SECONDS
    if not seconds:
        return load()
    value = cache.get(_PREFIX + key, _MISSING)
    if value is _MISSING:
        value = load()
        cache.set(_PREFIX + key, value, seconds)
    return value


def replace(key: str, value) -> None:
    """Cache `value` as it now is in the database (the caller just wrote it)."""
    if settings.FRONTLINE_CACHE_SECONDS:
        cache.set(_PREFIX + key, value, settings.FRONTLINE_CACHE_SECONDS)


def forget(*keys: str) -> None:
    """Drop the copies now and again once the current transaction commits: a request
    running in between could have cached the rows as they were before the change."""
    if not keys:
        return
    full = [_PREFIX + k for k in keys]
    cache.delete_many(full)
    transaction.on_commit(lambda: cache.delete_many(full))
