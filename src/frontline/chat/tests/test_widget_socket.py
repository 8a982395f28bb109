"""The widget's websocket: only allowed sites, pushes to every open widget of the
conversation, typing both ways."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection

from frontline.accounts import presence
from frontline.asgi import websockets
from frontline.chat import services
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def widget(key: str, origin: str | None = "https://shop.example") -> WebsocketCommunicator:
    headers = [(b"host", b"desk.example")] + ([(b"origin", origin.encode())] if origin else [])
    return WebsocketCommunicator(websockets, f"/ws/chat/{key}/", headers=headers)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def chat(workspace, fresh_rate_limits):
    current = services.settings_for(workspace)
    current.allowed_origins = ["https://shop.example"]
    current.bot_enabled = False  # straight to a person: these tests are about the socket
    current.save()
    return current


async def until(comm, kind: str, **match):
    while True:
        event = await comm.receive_json_from(10)
        if event["kind"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


def test_other_sites_and_unknown_keys_are_refused(chat):
    async def scenario():
        results = []
        for key, origin in ((chat.key, "https://evil.example"), ("no-such-key", None)):
            results.append(await widget(key, origin).connect())
        ok, _ = await widget(chat.key, "https://desk.example").connect()  # our own host
        return results, ok

    refused, own = run(scenario())
    assert refused == [(False, 4403), (False, 4404)] and own


def test_a_conversation_reaches_every_open_widget_and_the_agent_reply_arrives(chat, agent):
    presence.mark_online(chat.workspace_id, agent.pk)

    async def scenario():
        first = widget(chat.key)
        assert (await first.connect())[0]
        await first.send_json_to({"type": "start", "name": "Eve"})
        token = (await until(first, "hello"))["token"]
        await first.send_json_to({"type": "message", "text": "my card is stuck", "client_id": "c1"})
        ack = await until(first, "ack")
        assert ack["client_id"] == "c1"
        state = await until(first, "state", state="active")
        # A second tab (a reload) gets the history and everything after.
        second = widget(chat.key)
        assert (await second.connect())[0]
        await second.send_json_to({"type": "hello", "token": token, "after": 0})
        history = await until(second, "message")
        assert history["id"] == ack["id"] and history["text"] == "my card is stuck"
        session = await database_sync_to_async(services.session_for)(chat.workspace, token)
        await asyncio.to_thread(_agent_replies, session.ticket_id, agent)
        replies = [await until(c, "message", author="agent") for c in (first, second)]
        # The visitor types: the agents on the ticket page hear it.
        await first.send_json_to({"type": "typing", "typing": True})
        oversized = await _send_raw(first, "x" * 9000)
        await first.disconnect()
        await second.disconnect()
        return state, replies, oversized

    state, replies, oversized = run(scenario())
    assert state["agent"] == agent.display_name
    assert [r["text"] for r in replies] == ["Hello Eve, let me look."] * 2
    assert oversized["code"] == "too_long"


async def _send_raw(comm, text):
    await comm.send_to(text_data=text)
    return await until(comm, "error")


def _agent_replies(ticket_id, agent):
    from frontline.tickets.models import Ticket

    try:
        tickets.reply(
            Ticket.objects.get(pk=ticket_id), by=Actor.of(agent), body="Hello Eve, let me look."
        )
    finally:
        connection.close()


def test_agent_typing_on_the_ticket_page_shows_in_the_widget(chat, agent, workspace):
    from channels.routing import URLRouter

    from frontline.tickets.routing import websocket_urlpatterns

    presence.mark_online(workspace.pk, agent.pk)

    async def scenario():
        visitor = widget(chat.key)
        await visitor.connect()
        await visitor.send_json_to({"type": "start"})
        token = (await until(visitor, "hello"))["token"]
        await visitor.send_json_to({"type": "message", "text": "hello there"})
        await until(visitor, "state", state="active")
        session = await database_sync_to_async(services.session_for)(workspace, token)
        number = await database_sync_to_async(lambda: session.ticket.number)()
        page = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), f"/ws/w/{workspace.slug}/t/{number}/"
        )
        page.scope["user"] = agent
        assert (await page.connect())[0]
        await page.send_json_to({"presence": "typing"})
        typing = await until(visitor, "typing", typing=True)
        await visitor.send_json_to({"type": "typing", "typing": True})
        heard = await until(page, "presence", state="typing")
        await page.disconnect()
        await visitor.disconnect()
        return typing, heard

    typing, heard = run(scenario())
    assert typing["name"] == agent.display_name
    assert heard["name"] == "The visitor"
