"""Agents thank each other on the team wall; customers' praise becomes kudos after a lead
approves it, quoting the customer only with consent; nobody thanks themselves."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.feedback import services as feedback
from frontline.lib.errors import ServiceError
from frontline.people import services
from frontline.people.models import Kudos
from frontline.testing.personas import signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_gives_kudos_and_colleagues_react(workspace, agent, agent2, viewer):
    client = signed_in(agent)
    r = client.post(
        reverse("kudos_give", args=[workspace.slug]),
        {"receiver": agent2.pk, "value": "Ownership", "message": "Took the 2 a.m. outage."},
        follow=True,
    )
    page = r.content.decode()
    assert f"Kudos to {agent2.display_name} are on the wall" in page
    assert "Took the 2 a.m. outage." in page and "Ownership" in page
    kudos = Kudos.objects.get()
    react = reverse("kudos_react", args=[workspace.slug, kudos.pk])
    signed_in(viewer).post(react, {"emoji": "👏"})
    signed_in(agent2).post(react, {"emoji": "👏"})
    page = signed_in(agent2).get(reverse("wall", args=[workspace.slug])).content.decode()
    assert 'aria-label="React 👏 (2)"' in page
    signed_in(agent2).post(react, {"emoji": "👏"})  # a second press takes it back
    assert kudos.reactions.count() == 1


def test_self_kudos_strangers_and_unknown_values_are_refused(
    workspace, agent, agent2, stranger, viewer
):
    def give(giver, receiver, value="Empathy", message="Thanks!"):
        return services.give_kudos(
            workspace, giver=giver, receiver=receiver, value=value, message=message
        )

    with pytest.raises(ServiceError, match="yourself"):
        give(agent, agent)
    with pytest.raises(ServiceError, match="receiver"):
        give(agent, stranger)
    with pytest.raises(ServiceError, match="value"):
        give(agent, agent2, value="Speed")
    with pytest.raises(ServiceError, match="message"):
        give(agent, agent2, message="  ")
    with pytest.raises(ServiceError, match="Only agents"):
        give(viewer, agent2)
    assert signed_in(viewer).post(reverse("kudos_give", args=[workspace.slug])).status_code == 403
    assert signed_in(stranger).get(reverse("wall", args=[workspace.slug])).status_code == 404
    assert not Kudos.objects.exists()


def test_kudos_just_for_them_stay_off_the_wall(workspace, agent, agent2, admin):
    give = reverse("kudos_give", args=[workspace.slug])
    r = signed_in(agent).post(give, {"receiver": agent2.pk, "value": "Empathy",
                                     "message": "Thank you for covering for me", "private": "on"},
                              follow=True)  # fmt: skip
    assert "sent, just for them" in r.content.decode()
    kudos = Kudos.objects.get()
    assert not kudos.public
    wall = reverse("wall", args=[workspace.slug])
    assert "covering for me" in signed_in(agent2).get(wall).content.decode()  # the receiver
    assert "covering for me" in signed_in(agent).get(wall).content.decode()  # the giver
    assert "covering for me" not in signed_in(admin).get(wall).content.decode()  # nobody else
    react = reverse("kudos_react", args=[workspace.slug, kudos.pk])
    assert signed_in(admin).post(react, {"emoji": "👏"}).status_code == 404


def test_a_monthly_allowance_when_the_workspace_wants_one(workspace, admin, agent, agent2):
    services.update_settings(workspace, by=Actor.of(admin), monthly_allowance=2)
    for n in range(2):
        services.give_kudos(
            workspace, giver=agent, receiver=agent2, value="Teamwork", message=f"#{n}"
        )
    with pytest.raises(ServiceError, match="2 kudos for this month"):
        services.give_kudos(
            workspace, giver=agent, receiver=agent2, value="Teamwork", message="one more"
        )


def _rated(workspace, agent, customer, *, score=5, comment="", consent=False):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Card", body="Help", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="Fixed.")
    rating = feedback.rate(ticket, score)
    return feedback.comment(rating, comment, consent=consent)


def test_customer_praise_waits_for_a_lead_and_quotes_only_with_consent(
    workspace, admin, agent, customer
):
    _rated(workspace, agent, customer, comment="Ava was wonderful, thank you!", consent=True)
    kudos = Kudos.objects.get()
    assert (kudos.source, kudos.status, kudos.receiver) == ("customer", "pending", agent)
    wall = reverse("wall", args=[workspace.slug])
    assert "Ava was wonderful" not in signed_in(agent).get(wall).content.decode()
    lead_page = signed_in(admin).get(wall).content.decode()
    assert "Customer praise waiting for you" in lead_page
    decide = reverse("kudos_decide", args=[workspace.slug, kudos.pk])
    assert signed_in(agent).post(decide, {"show": "1"}).status_code == 403
    signed_in(admin).post(decide, {"show": "1"})
    assert "Ava was wonderful, thank you!" in signed_in(agent).get(wall).content.decode()

    # Without consent the words stay private; a lukewarm rating is not praise.
    Kudos.objects.all().delete()
    _rated(workspace, agent, customer, comment="Thank you so much, brilliant help!")
    private = Kudos.objects.get()
    assert "Thank you so much" not in private.message and "kept private" in private.message
    _rated(workspace, agent, customer, score=4, comment="Thanks, fine.")
    assert Kudos.objects.count() == 1


def test_a_thankful_message_becomes_customer_kudos(workspace, admin, agent, customer):
    services.update_settings(workspace, by=Actor.of(admin), auto_approve_customer_praise=True)
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Transfer", body="Stuck", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="Released it.")
    tickets.add_customer_message(ticket, customer, body="It arrived, ok.")
    assert not Kudos.objects.exists()
    tickets.add_customer_message(ticket, customer, body="Thank you so much, you are amazing!")
    kudos = Kudos.objects.get()
    assert kudos.status == "shown" and kudos.receiver == agent and kudos.ticket == ticket
    page = Client()
    page.force_login(agent)
    assert f"#{ticket.number}" in page.get(reverse("wall", args=[workspace.slug])).content.decode()


def test_a_long_backlog_of_customer_praise_comes_to_the_lead_in_pages(
    workspace, admin, agent, customer
):
    for _ in range(23):
        _rated(workspace, agent, customer, comment="Wonderful help, thank you!", consent=True)
    page = signed_in(admin).get(reverse("wall", args=[workspace.slug])).content.decode()
    assert "Customer praise waiting for you (23)" in page
    assert page.count("Show on the wall") == 20 and "The 20 newest" in page


def test_the_wall_keeps_older_kudos_on_later_pages(workspace, agent, agent2):
    for n in range(33):
        services.give_kudos(
            workspace, giver=agent, receiver=agent2, value="Empathy", message=f"Thanks no. {n}."
        )
    wall = reverse("wall", args=[workspace.slug])
    first = signed_in(agent2).get(wall).content.decode()
    assert "Thanks no. 32." in first and "Thanks no. 3." in first  # the 30 newest
    assert "Thanks no. 2." not in first and "Page 1 of 2" in first
    older = signed_in(agent2).get(wall + "?page=2").content.decode()
    assert "Thanks no. 2." in older and "Thanks no. 0." in older and "Thanks no. 3." not in older
    assert "Earlier kudos" in older
