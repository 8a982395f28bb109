"""Push small change notices to browsers over the Channels layer (after commit)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def workspace_group(workspace_id: int) -> str:
    return f"workspace.{workspace_id}"


def publish(workspace_id: int, payload: dict) -> None:
    """Best effort: a down channel layer must never break a ticket change."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            workspace_group(workspace_id), {"type": "workspace.change", "payload": payload}
        )
    except Exception:  # noqa: BLE001 - notices are advisory; the data is already committed
        log.warning("could not publish a change notice", exc_info=True)
