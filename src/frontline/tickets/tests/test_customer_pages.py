"""Agents find customers, read their history, fix their details and merge duplicates."""

import pytest
from django.urls import reverse

from frontline.testing.personas import signed_in
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Customer, Event, Ticket

pytestmark = pytest.mark.django_db


def test_customer_list_searches_names_addresses_and_companies(agent, workspace, customer):
    acme = services.create_company(workspace, by=Actor.of(agent), name="Initech")
    services.create_customer(
        workspace,
        by=Actor.of(agent),
        name="Peter Gibbons",
        email="peter@initech.test",
        company=acme,
    )
    url = reverse("customers", args=[workspace.slug])
    client = signed_in(agent)
    assert [c.name for c in client.get(url, {"q": "initech"}).context["page"]] == ["Peter Gibbons"]
    assert [c.name for c in client.get(url, {"q": "carla@"}).context["page"]] == ["Carla Customer"]
    assert client.get(url).context["page"].paginator.count == 2


def test_customer_list_pages_keep_the_search(agent, workspace, customer):
    for n in range(51):
        services.create_customer(workspace, by=Actor.of(agent), name=f"Pat {n:02}",
                                 email=f"pat{n}@initech.test")  # fmt: skip
    url = reverse("customers", args=[workspace.slug])
    client = signed_in(agent)
    first = client.get(url, {"q": "initech"}).content.decode()
    assert "Page 1 of 2" in first and "?q=initech&amp;page=2" in first
    second = client.get(url, {"q": "initech", "page": 2}).content.decode()
    assert "Pat 50" in second and "?q=initech&amp;page=1" in second
    assert "?page=2" in client.get(url).content.decode()  # nothing to keep: just the page


def test_profile_shows_the_customers_tickets(agent, workspace, customer, ticket):
    html = signed_in(agent).get(reverse("customer", args=[workspace.slug, customer.pk])).content
    assert ticket.subject.encode() in html


def test_agent_edits_customer_details(agent, workspace, customer):
    url = reverse("customer_update", args=[workspace.slug, customer.pk])
    response = signed_in(agent).post(
        url,
        {"name": "Carla C.", "emails": "carla@example.com, carla@work.test", "phone": "+44 1"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Carla C.", "+44 1")
    assert sorted(customer.emails.values_list("email", flat=True)) == [
        "carla@example.com",
        "carla@work.test",
    ]


def test_an_address_of_another_customer_is_refused_with_a_message(agent, workspace, customer):
    services.create_customer(workspace, by=Actor.of(agent), name="Ben", email="ben@example.com")
    url = reverse("customer_update", args=[workspace.slug, customer.pk])
    response = signed_in(agent).post(url, {"name": "Carla", "emails": "ben@example.com"})
    assert response.status_code == 422
    assert b"already belongs to another customer" in response.content


def test_merging_a_duplicate_moves_tickets_addresses_and_history(
    agent, workspace, customer, ticket
):
    duplicate = services.create_customer(
        workspace, by=Actor.of(agent), name="", email="carla.c@gmail.test", phone="555"
    )
    dup_ticket = services.create_ticket(
        workspace, by=Actor.of(duplicate), subject="Second account", body="b", requester=duplicate
    )
    url = reverse("customer_merge", args=[workspace.slug, customer.pk])
    response = signed_in(agent).post(url, {"duplicate": "Carla.C@gmail.test"})
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    customer.refresh_from_db()
    assert Ticket.objects.get(pk=dup_ticket.pk).requester == customer
    assert dup_ticket.messages.get().author_customer == customer
    assert "carla.c@gmail.test" in customer.emails.values_list("email", flat=True)
    assert customer.phone == "555"  # an empty field filled from the duplicate
    merged = Event.objects.get(kind="customer.merged")
    assert merged.after["tickets"] == [dup_ticket.number]


def test_merge_with_an_unknown_address_explains(agent, workspace, customer):
    url = reverse("customer_merge", args=[workspace.slug, customer.pk])
    response = signed_in(agent).post(url, {"duplicate": "nobody@example.com"})
    assert response.status_code == 422
    assert b"No customer has the address nobody@example.com" in response.content


def test_viewers_cannot_change_customers_and_strangers_cannot_see_them(
    viewer, stranger, workspace, customer
):
    update = reverse("customer_update", args=[workspace.slug, customer.pk])
    assert signed_in(viewer).post(update, {"name": "X"}).status_code == 403
    assert (
        signed_in(viewer).get(reverse("customer", args=[workspace.slug, customer.pk])).status_code
        == 200
    )
    for url in (
        reverse("customers", args=[workspace.slug]),
        reverse("customer", args=[workspace.slug, customer.pk]),
        reverse("companies", args=[workspace.slug]),
    ):
        assert signed_in(stranger).get(url).status_code == 404


def test_company_page_lists_its_people_and_their_tickets(agent, workspace, customer, ticket):
    company = services.create_company(workspace, by=Actor.of(agent), name="Carla Corp")
    services.update_customer(customer, by=Actor.of(agent), changes={"company": company})
    html = signed_in(agent).get(reverse("company", args=[workspace.slug, company.pk])).content
    assert b"Carla Customer" in html and ticket.subject.encode() in html
