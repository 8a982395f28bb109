"""Change notices reach browsers subscribed to their workspace (in-memory or Redis)."""

import asyncio
import os
import socket
import urllib.parse

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from frontline.lib import realtime
from frontline.tickets import services
from frontline.tickets.events import Actor


def _redis_reachable() -> bool:
    url = urllib.parse.urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=1).close()
        return True
    except OSError:
        return False


async def _subscribe(layer, workspace_id):
    channel = await layer.new_channel()
    await layer.group_add(realtime.workspace_group(workspace_id), channel)
    return channel


@pytest.mark.django_db(transaction=True)
def test_ticket_change_is_published_after_commit(workspace, agent, customer):
    layer = get_channel_layer()
    loop = asyncio.new_event_loop()
    try:
        channel = loop.run_until_complete(_subscribe(layer, workspace.pk))
        with transaction.atomic():
            ticket = services.create_ticket(
                workspace, by=Actor.of(customer), subject="Live", body="b", requester=customer
            )
        message = loop.run_until_complete(asyncio.wait_for(layer.receive(channel), 5))
    finally:
        loop.close()
    assert message["type"] == "workspace.change"
    assert message["payload"] == {"ticket": ticket.number, "id": ticket.pk, "changes": ["created"]}


def _redis_layer():
    from channels_redis.core import RedisChannelLayer

    from frontline.lib import redis_layer

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return RedisChannelLayer(**redis_layer.channel_layer(url)["CONFIG"])


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_is_never_announced(workspace, agent, customer, monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "publish", lambda workspace_id, payload: sent.append(payload))
    with transaction.atomic():
        ticket = services.create_ticket(
            workspace, by=Actor.of(customer), subject="Live", body="b", requester=customer
        )
        try:
            with transaction.atomic():
                services.update_ticket(ticket, by=Actor.of(agent), changes={"status": "pending"})
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        services.update_ticket(ticket, by=Actor.of(agent), changes={"priority": "high"})
    announced = [kind for payload in sent for kind in payload["changes"]]
    assert sorted(announced) == ["created", "priority"]


@pytest.mark.redis
@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable on this machine")
def test_redis_channel_layer_carries_notices(settings):
    layer = _redis_layer()

    async def roundtrip():
        channel = await _subscribe(layer, 4242)
        await layer.group_send(
            realtime.workspace_group(4242), {"type": "workspace.change", "payload": {"ticket": 7}}
        )
        got = await asyncio.wait_for(layer.receive(channel), 5)
        await layer.flush()
        return got

    assert asyncio.run(roundtrip())["payload"] == {"ticket": 7}


@pytest.mark.redis
@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable on this machine")
def test_an_idle_socket_on_redis_outlives_the_blocking_wait():
    # A widget or agent socket with nothing to hear for a while must still hear the next
    # message: its wait on Redis spans more than one blocking pop (5 s each).
    layer = _redis_layer()

    async def idle_then_message():
        channel = await layer.new_channel()
        waiting = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(layer.brpop_timeout + 2)
        assert not waiting.done() or waiting.exception() is None
        await layer.send(channel, {"type": "chat.message", "text": "still there?"})
        got = await asyncio.wait_for(waiting, 5)
        await layer.flush()
        return got

    assert asyncio.run(idle_then_message())["text"] == "still there?"


def test_a_request_thread_hands_the_notice_to_the_server_loop_without_waiting(monkeypatch):
    layer = get_channel_layer()
    sent = []

    async def main():
        release = asyncio.Event()

        async def slow_group_send(group, message):
            await release.wait()
            sent.append((group, message["payload"]))

        await _subscribe(layer, 7)  # a socket of this process is listening
        monkeypatch.setattr(layer, "group_send", slow_group_send)
        realtime.bind_server_loop(asyncio.get_running_loop())
        # publish() returns while the layer is still sending: the request is not held up.
        await asyncio.wait_for(
            asyncio.to_thread(realtime.publish, 7, {"ticket": 1, "id": 3, "changes": ["reply"]}), 5
        )
        assert sent == []
        release.set()
        await _until(lambda: sent)

    _as_the_web_server(main)
    assert sent == [("workspace.7", {"ticket": 1, "id": 3, "changes": ["reply"]})]


def _as_the_web_server(main) -> None:
    """Run `main` on an event loop bound as the web server's (where notices are handed)."""
    try:
        asyncio.run(main())
    finally:
        realtime.bind_server_loop(None)


async def _until(condition, seconds=0.5) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("layer_kind", "handed_over"),
    [
        # The in-memory layer reaches only this process's sockets: with none in the group
        # the notice would be dropped anyway, after costing the event loop a wake-up.
        ("memory", ["workspace.9"]),
        # Redis reaches the other processes' sockets: every notice goes.
        ("redis", ["workspace.8", "workspace.9"]),
    ],
)
def test_a_notice_goes_out_only_if_someone_could_hear_it(
    monkeypatch, settings, layer_kind, handed_over
):
    from frontline.lib import redis_layer

    settings.CHANNEL_LAYERS = {
        "default": redis_layer.channel_layer("redis://127.0.0.1:6379/0")  # never connected
        if layer_kind == "redis"
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    layer = get_channel_layer()
    sent = []

    async def recording_group_send(group, message):
        sent.append(group)

    monkeypatch.setattr(layer, "group_send", recording_group_send)
    if layer_kind == "redis":
        monkeypatch.setattr(layer, "group_add", _nowhere)

    async def main():
        realtime.bind_server_loop(asyncio.get_running_loop())
        await asyncio.to_thread(realtime.publish, 8, {"ticket": 1, "id": 3, "changes": ["reply"]})
        await layer.group_add(realtime.workspace_group(9), "socket-of-this-process")
        await asyncio.to_thread(realtime.publish, 9, {"ticket": 2, "id": 4, "changes": ["reply"]})
        await _until(lambda: len(sent) == len(handed_over))

    _as_the_web_server(main)
    assert sent == handed_over


async def _nowhere(group, channel):
    """A Redis group join that needs no Redis server (the test never sends through it)."""
