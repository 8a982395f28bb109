"""Who of a workspace's members is connected right now (an open workspace page).

Kept in the cache (Redis when configured, so every web process sees the same), one key
per member with a short expiry that the page's websocket renews: a closed laptop drops
out by itself. The chat routes conversations only to agents who are here.
"""

from collections.abc import Callable, Iterable

from django.core.cache import cache

TTL = 90  # seconds; the page's websocket renews every 30 s

# Called with (workspace_id, user_id) when a member comes online: the chat app gives
# waiting conversations to the newcomer this way.
_came_online: list[Callable[[int, int], None]] = []


def _key(workspace_id: int, user_id: int) -> str:
    return f"presence:{workspace_id}:{user_id}"


def register_came_online(listener: Callable[[int, int], None]) -> None:
    if listener not in _came_online:
        _came_online.append(listener)


def mark_online(workspace_id: int, user_id: int) -> None:
    was_here = cache.get(_key(workspace_id, user_id)) is not None
    cache.set(_key(workspace_id, user_id), 1, TTL)
    if not was_here:
        for listener in _came_online:
            listener(workspace_id, user_id)


def mark_offline(workspace_id: int, user_id: int) -> None:
    cache.delete(_key(workspace_id, user_id))


def online(workspace_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who are connected now."""
    ids = list(user_ids)
    found = cache.get_many([_key(workspace_id, u) for u in ids])
    return {u for u in ids if _key(workspace_id, u) in found}
