"""Agents see similar solved tickets with the reply that solved them, addressed to their
own customer, and can use it."""

import pytest
from django.urls import reverse

from frontline.assistant import similar
from frontline.testing.personas import signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db

SOLVED = [
    ("My card has not arrived", "Hi Bea Brown, cards arrive within 5 days. Bea, we posted it."),
    ("How do I change my PIN?", "Hi Bea Brown, you can change your PIN at any cash machine."),
    ("Refund for a cancelled flight", "Hi Bea Brown, refunds from airlines take up to 14 days."),
]  # fmt: skip


@pytest.fixture
def history(workspace, agent):
    bea = tickets.create_customer(
        workspace, by=Actor.of(agent), name="Bea Brown", email="bea@example.com"
    )
    for subject, reply in SOLVED:
        t = tickets.create_ticket(
            workspace, by=Actor.of(bea), subject=subject, body=subject, requester=bea
        )
        tickets.reply(t, by=Actor.of(agent), body=reply)
        tickets.update_ticket(t, by=Actor.of(agent), changes={"status": "solved"})
    # Solved without a reply: nothing to suggest from it.
    bare = tickets.create_ticket(
        workspace, by=Actor.of(bea), subject="Card arrived?", body="Card?", requester=bea
    )
    tickets.update_ticket(bare, by=Actor.of(agent), changes={"status": "solved"})
    assert similar.rebuild_index(workspace.pk) == 3
    return workspace


def test_similar_solved_tickets_come_with_their_reply_for_this_customer(history, agent, customer):
    ticket = tickets.create_ticket(
        history, by=Actor.of(customer), subject="Still waiting for my new card",
        body="I ordered a card two weeks ago and it has not arrived yet", requester=customer,
    )  # fmt: skip
    found = similar.similar_tickets(ticket, "I ordered a card two weeks ago and it has not arrived")
    assert found and found[0].ticket.subject == "My card has not arrived"
    assert found[0].similarity >= 55
    # Addressed to Carla, not to Bea.
    assert (
        found[0].reply.startswith("Hi Carla Customer, cards arrive")
        and "Carla, we posted" in found[0].reply
    )
    assert all(s.ticket.subject != "Refund for a cancelled flight" for s in found[:1])

    page = signed_in(agent).get(reverse("ticket", args=[history.slug, ticket.number]))
    html = page.content.decode()
    assert "Similar solved tickets" in html and "Use this reply" in html
    assert 'data-insert-reply="Hi Carla Customer, cards arrive' in html


def test_nothing_alike_shows_nothing(history, customer):
    ticket = tickets.create_ticket(
        history, by=Actor.of(customer), subject="Opening hours of the Leeds branch",
        body="When does your Leeds branch open on Saturdays?", requester=customer,
    )  # fmt: skip
    assert similar.similar_tickets(ticket, "When does your Leeds branch open on Saturdays?") == []
