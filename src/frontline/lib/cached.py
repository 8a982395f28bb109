"""Short-lived copies of the few rows read on every request: a token's owner, a workspace's
teams, its assistant settings, routing rules and active model.

Each costs an ORM query of a few tenths of a millisecond, which on a busy desk adds up to
a large share of a ticket create. Copies go through Django's default cache, so every
caller gets its own unpickled objects (nothing is shared between requests). With Redis
configured all processes share the copies and a change is seen everywhere at once. With
the embedded local-memory cache each process keeps its own copies; every key then carries
a generation read from a small file in the data directory, which `forget` replaces, so the
other processes on the machine stop using their copies at once too (a stat() a read).
FRONTLINE_CACHE_SECONDS bounds a copy's life in any case.

Whoever owns the rows calls `forget` when they change (services, or the models' save and
delete signals where rows change in many places).
"""

import functools
import os
import secrets
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

_PREFIX = "fl:rows:"
_MISSING = object()


def _generation_file() -> str:
    return _generation_path(settings.DATA_DIR)


@functools.cache
def _generation_path(data_dir) -> str:  # built once: every cached read stats it
    return os.path.join(data_dir, "cached-rows.generation")


def _key(key: str) -> str:
    if settings.REDIS_URL:  # one cache for every process: deleting is enough
        return _PREFIX + key
    try:
        st = os.stat(_generation_file())
        generation = f"{st.st_ino}.{st.st_mtime_ns}"
    except FileNotFoundError:
        generation = "0"
    return f"{_PREFIX}{generation}:{key}"


def _new_generation() -> None:
    """Tell the other processes on this machine that cached rows changed."""
    if settings.REDIS_URL:
        return
    path = _generation_file()
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}"
    with open(temporary, "w") as f:
        f.write(secrets.token_hex(8))
    os.replace(temporary, path)  # a new file: a new inode and time, so a new generation


def read[T](key: str, load: Callable[[], T]) -> T:
    """The cached value of `key`, or `load()` (cached for next time)."""
    seconds = settings.FRONTLINE_CACHE_SECONDS
    if not seconds:
        return load()
    full = _key(key)
    value = cache.get(full, _MISSING)
    if value is _MISSING:
        value = load()
        cache.set(full, value, seconds)
    return value


def replace(key: str, value) -> None:
    """Cache `value` as it now is in the database (the caller just wrote it)."""
    if settings.FRONTLINE_CACHE_SECONDS:
        cache.set(_key(key), value, settings.FRONTLINE_CACHE_SECONDS)


def saved_only(kwargs: dict, *fields: str) -> bool:
    """Whether a post_save signal reports a save of only these bookkeeping `fields`, which
    no cached copy is read for (a sign-in's time, the round-robin cursor): receivers then
    keep the copies."""
    return kwargs.get("update_fields") == frozenset(fields)


def forget(*keys: str) -> None:
    """Drop the copies now and again once the current transaction commits: a request
    running in between could have cached the rows as they were before the change."""
    if not keys:
        return

    def drop():
        cache.delete_many([_key(k) for k in keys])
        _new_generation()

    drop()
    transaction.on_commit(drop)
