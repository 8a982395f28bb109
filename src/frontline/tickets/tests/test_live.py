"""Live notices and presence over websockets, as the agent workspace pages use them."""

import asyncio
import html
import re
import time
from datetime import timedelta

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.testing.personas import signed_in
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def socket(user, path) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    comm.scope["user"] = user
    return comm


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_members_get_change_notices_for_their_workspace(agent, workspace, customer):
    async def scenario():
        comm = socket(agent, f"/ws/w/{workspace.slug}/")
        assert (await comm.connect())[0]
        await asyncio.to_thread(_create, workspace, customer, "Card stuck in ATM")
        notice = await comm.receive_json_from(5)
        await comm.disconnect()
        return notice

    notice = run(scenario())
    assert notice["kind"] == "change" and notice["changes"] == ["created"]


def _create(workspace, customer, subject, **kw):
    try:
        with transaction.atomic():
            return services.create_ticket(
                workspace,
                by=Actor.of(customer),
                subject=subject,
                body="b",
                requester=customer,
                **kw,
            )
    finally:
        connection.close()  # this worker thread's own connection


def test_strangers_and_anonymous_visitors_are_refused(stranger, workspace, ticket):
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        results = []
        for user, path in (
            (stranger, f"/ws/w/{workspace.slug}/"),
            (stranger, f"/ws/w/{workspace.slug}/t/{ticket.number}/"),
            (AnonymousUser(), f"/ws/w/{workspace.slug}/"),
        ):
            connected, code = await socket(user, path).connect()
            results.append((connected, code))
        return results

    assert run(scenario()) == [(False, 4403)] * 3


def test_agents_limited_to_their_tickets_get_no_notice_of_others(
    agent, agent2, workspace, customer
):
    workspace.agent_ticket_visibility = Workspace.TicketVisibility.OWN_AND_TEAMS
    workspace.save()

    async def scenario():
        comm = socket(agent2, f"/ws/w/{workspace.slug}/")
        await comm.connect()
        await asyncio.to_thread(_create, workspace, customer, "Not yours", assignee=agent)
        hidden = await comm.receive_nothing(0.5)
        mine = await asyncio.to_thread(_create, workspace, customer, "Yours", assignee=agent2)
        notice = await comm.receive_json_from(5)
        await comm.disconnect()
        return hidden, notice, mine

    hidden, notice, mine = run(scenario())
    assert hidden is True
    assert notice["ticket"] == mine.number


def test_agents_on_the_same_ticket_see_each_other_view_and_type(agent, agent2, workspace, ticket):
    path = f"/ws/w/{workspace.slug}/t/{ticket.number}/"

    async def scenario():
        first = socket(agent, path)
        await first.connect()
        second = socket(agent2, path)
        await second.connect()
        seen_by_first = await first.receive_json_from(5)  # agent2 arrived
        seen_by_second = await second.receive_json_from(5)  # agent answered: already here
        await second.send_json_to({"presence": "typing"})
        typing = await first.receive_json_from(5)
        await second.disconnect()
        left = await first.receive_json_from(5)
        await first.disconnect()
        return seen_by_first, seen_by_second, typing, left

    seen_by_first, seen_by_second, typing, left = run(scenario())
    assert (seen_by_first["name"], seen_by_first["state"]) == (agent2.display_name, "viewing")
    assert (seen_by_second["name"], seen_by_second["state"]) == (agent.display_name, "viewing")
    assert (typing["name"], typing["state"]) == (agent2.display_name, "typing")
    assert left["state"] == "left"


async def first_message(user, path):
    """What a ticket page's socket says on its own right after connecting, if anything."""
    comm = socket(user, path)
    assert (await comm.connect())[0]
    try:
        if await comm.receive_nothing(0.5):
            return None
        return await comm.receive_json_from(5)
    finally:
        await comm.disconnect()


def _opened_an_hour_ago(workspace, customer):
    # A ticket whose own creation is old news to a page read now.
    with clock.replaying(timezone.now() - timedelta(hours=1)):
        return _create(workspace, customer, "Card stuck in ATM")


def test_a_ticket_page_hears_of_changes_made_before_its_socket_opened(agent, workspace, customer):
    # The page read the ticket, then the customer wrote, then the page's socket opened:
    # the notice went to nobody, so the socket says so on connecting.
    ticket = _opened_an_hour_ago(workspace, customer)
    read_at = time.time()
    services.add_customer_message(ticket, customer, body="Here is my receipt")
    path = f"/ws/w/{workspace.slug}/t/{ticket.number}/?since="

    missed = run(first_message(agent, f"{path}{read_at:.3f}"))
    assert missed == {"kind": "change", "id": ticket.pk, "changes": ["missed"]}
    # A page read after the change has nothing to catch up on; nor has a mangled address.
    assert run(first_message(agent, f"{path}{time.time() + 5:.3f}")) is None
    assert run(first_message(agent, f"{path}yesterday")) is None


def test_a_members_own_change_is_not_announced_back_to_the_page_they_made_it_on(
    agent, workspace, customer
):
    ticket = _opened_an_hour_ago(workspace, customer)
    read_at = time.time()
    services.add_note(ticket, by=Actor.of(agent), body="Called the customer")
    path = f"/ws/w/{workspace.slug}/t/{ticket.number}/?since={read_at:.3f}"
    assert run(first_message(agent, path)) is None


def test_a_list_page_hears_of_tickets_changed_before_its_socket_opened(agent, workspace, customer):
    # The inbox (and the Chats page) read their list, then a customer opened a ticket, then
    # the page's socket opened: it is told once, so the list refreshes.
    read_at = time.time()
    _create(workspace, customer, "Card stuck in ATM")
    path = f"/ws/w/{workspace.slug}/?since="

    missed = run(first_message(agent, f"{path}{read_at:.3f}"))
    assert missed == {"kind": "change", "id": None, "changes": ["missed"]}
    assert run(first_message(agent, f"{path}{time.time() + 5:.3f}")) is None


def test_a_members_own_change_is_not_announced_back_to_their_list_page(agent, workspace, customer):
    ticket = _opened_an_hour_ago(workspace, customer)
    read_at = time.time()
    services.add_note(ticket, by=Actor.of(agent), body="Called the customer")
    assert run(first_message(agent, f"/ws/w/{workspace.slug}/?since={read_at:.3f}")) is None


def test_a_list_page_is_not_told_of_tickets_its_member_may_not_see(
    agent, agent2, workspace, customer
):
    workspace.agent_ticket_visibility = Workspace.TicketVisibility.OWN_AND_TEAMS
    workspace.save()
    read_at = time.time()
    _create(workspace, customer, "Not yours", assignee=agent)
    path = f"/ws/w/{workspace.slug}/?since={read_at:.3f}"
    assert run(first_message(agent2, path)) is None
    _create(workspace, customer, "Yours", assignee=agent2)
    assert run(first_message(agent2, path))["changes"] == ["missed"]


@pytest.mark.parametrize("page", ["inbox", "chats"])
def test_the_inbox_and_chats_pages_give_their_socket_the_time_they_read_the_list(
    page, agent, workspace, customer
):
    response = signed_in(agent).get(reverse(page, args=[workspace.slug]))
    path = html.unescape(re.search(r'data-live="([^"]+)"', response.text).group(1))
    assert path.startswith(f"/ws/w/{workspace.slug}/?since=")
    assert run(first_message(agent, path)) is None  # nothing happened since
    _create(workspace, customer, "Card stuck in ATM")
    assert run(first_message(agent, path))["changes"] == ["missed"]
