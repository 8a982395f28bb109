"""Without Redis, the task worker's change notices reach browsers through the web server;
nobody else can push notices through that door."""

import asyncio
import json

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.test import Client

from frontline.lib import notice_relay, realtime


def _post(body: dict, **headers):
    return Client().post(
        notice_relay.PATH, json.dumps(body), content_type="application/json", **headers
    )


def test_a_signed_notice_from_loopback_is_published_and_others_are_refused():
    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        pytest.skip("the relay is only for the in-memory channel layer (no REDIS_URL)")
    loop = asyncio.new_event_loop()
    try:
        channel = loop.run_until_complete(layer.new_channel())
        loop.run_until_complete(layer.group_add(realtime.workspace_group(7), channel))
        notice = {"workspace_id": 7, "payload": {"kind": "ticket", "number": 12}}
        signed = {"headers": {notice_relay.HEADER: notice_relay._signature()}}

        assert _post(notice, headers={notice_relay.HEADER: "forged"}).status_code == 403
        assert _post(notice, REMOTE_ADDR="203.0.113.9", **signed).status_code == 403
        assert _post({"workspace_id": "x"}, **signed).status_code == 400
        assert _post(notice, **signed).status_code == 204
        message = loop.run_until_complete(asyncio.wait_for(layer.receive(channel), 2))
        assert message["payload"] == {"kind": "ticket", "number": 12}
    finally:
        loop.close()
