"""Push small change notices to browsers over the Channels layer (after commit)."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from frontline.lib import clock
from frontline.lib.notice_relay import relay_url, send

log = logging.getLogger(__name__)

# The web server's event loop, set by the ASGI handler: from a request thread a notice is
# handed to that loop and the request goes on without waiting for the channel layer.
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop
    _server_loop = loop


def live_since() -> str:
    """The `?since=` of a live page's socket address, taken before the page reads what it
    shows: a change that lands before the socket opens sends its notice to nobody, so
    the socket asks on connecting whether anything changed since (tickets/consumers.py)."""
    return f"{clock.now().timestamp():.3f}"


def is_live_fetch(request) -> bool:
    """A request a page's script made in the background (a live refresh, a property saved
    in place), not a page the agent navigated to: base.html shows it no flash messages,
    so it leaves them for the page being loaded, and views add none for it."""
    return request.headers.get("X-Requested-With") == "live"


def workspace_group(workspace_id: int) -> str:
    return f"workspace.{workspace_id}"


def publish(workspace_id: int, payload: dict) -> None:
    """Best effort: a down channel layer must never break a ticket change."""
    layer = get_channel_layer()
    if layer is None:
        return
    if _server_loop is None and isinstance(layer, InMemoryChannelLayer) and relay_url():
        send(workspace_id, payload)  # a worker without Redis: through the web server
        return
    send_group(workspace_group(workspace_id), {"type": "workspace.change", "payload": payload})


def member_group(workspace_id: int, user_id: int) -> str:
    """One member's own sockets in a workspace (every open page of theirs)."""
    return f"member.{workspace_id}.{user_id}"


def tell_member(workspace_id: int, user_id: int, notice: dict) -> None:
    """A notice for one member's pages (e.g. "a chat is yours"), once the transaction
    commits: {"text": what to say, "url": where to go}."""
    message = {"type": "member.notice", "payload": notice}
    transaction.on_commit(lambda: send_group(member_group(workspace_id, user_id), message))


def ticket_changed(workspace_id: int, ticket_id: int, number: int, kinds: list[str]) -> None:
    """Announce a ticket's change once its transaction commits (never if it rolls back)."""
    payload = {"ticket": number, "id": ticket_id, "changes": list(kinds)}
    transaction.on_commit(lambda: publish(workspace_id, payload))


def send_group(group: str, message: dict) -> None:
    """Hand a message to a Channels group from sync code (best effort, like `publish`)."""
    layer = get_channel_layer()
    if layer is None or not _may_have_listeners(layer, group):
        return
    loop = _server_loop
    if loop is not None and loop.is_running():
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.add_done_callback(_log_failure)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - notices are advisory; the data is already committed
        log.warning("could not publish a change notice", exc_info=True)


def _may_have_listeners(layer, group: str) -> bool:
    """Whether anyone could hear a message to `group`. The in-memory layer knows: only
    this process's own sockets are its members, so with none of them open the message would
    be dropped anyway, after a hand-off to the event loop (a wake-up for every change).
    Other layers reach sockets in other processes: always send."""
    if isinstance(layer, InMemoryChannelLayer):
        return bool(layer.groups.get(group))  # one dict read: safe from a request thread
    return True


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("could not publish a change notice", exc_info=future.exception())
