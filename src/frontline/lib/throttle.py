"""A fixed-window counter in the cache, for limits outside a request (websockets).

Views use django-ratelimit; a websocket message has no request, so the chat counts here.
"""

from django.core.cache import cache


def allow(key: str, limit: int, seconds: int) -> bool:
    """Count one more try under `key`; False once `limit` tries were made in the window."""
    key = f"throttle:{key}"
    if cache.add(key, 1, seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, seconds)
        return True
