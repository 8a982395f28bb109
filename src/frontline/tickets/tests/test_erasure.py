"""The right to erasure: an admin erases a customer and nothing about them is left (their
tickets, messages, files, raw emails, chats, questions to the virtual agent, log
entries, help-center sign-in), while the team keeps its own records (an agent's kudos,
without the customer's words) and other customers lose nothing, not even a file that
happens to have the same content."""

import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frontline.accounts.models import User
from frontline.assistant.models import BotTurn
from frontline.chat.models import ChatSession
from frontline.email import inbound
from frontline.email.models import InboundEmail
from frontline.feedback import services as feedback
from frontline.feedback.models import Rating
from frontline.people import models as people
from frontline.people import stories
from frontline.testing.api_client import api_for
from frontline.testing.personas import signed_in
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Attachment, Customer, Event, Status, Ticket
from frontline.tickets.search import find_tickets

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parents[2] / "email" / "tests" / "messages"
FILE = b"%PDF-1.4 the same statement"


@pytest.fixture
def dana(workspace, agent, admin, customer):
    """Dana wrote by email, sent a file, chatted, rated and praised the agent, wrote on
    a colleague's ticket, and signed in to the help center."""
    first = inbound.process(
        inbound.receive(workspace, (MESSAGES / "new_request.eml").read_bytes()).pk
    ).ticket
    dana = first.requester
    dana.user = User.objects.create_user("dana@example.com", None)
    dana.save()
    upload = services.store_attachment(
        workspace, SimpleUploadedFile("statement.pdf", FILE), by=None
    )
    services.create_ticket(
        workspace, by=Actor.of(dana), subject="Zanzibarian fee", body="See the statement.",
        requester=dana, attachments=[upload],
    )  # fmt: skip
    services.reply(first, by=Actor.of(agent), body="Sent a new card.")
    services.update_ticket(first, by=Actor.of(agent), changes={"status": Status.SOLVED})
    rating = feedback.rate(first, 5)
    feedback.comment(rating, "Thank you so much, Dana is very happy!", consent=True)
    stories.publish_testimonial(rating, by=admin)
    ChatSession.objects.create(
        workspace=workspace, customer=dana, ticket=first, visitor_email="dana@example.com"
    )
    BotTurn.objects.create(workspace=workspace, question="where is my card", kind="answer",
                           ticket=first, channel="email")  # fmt: skip
    # A colleague's ticket (the `customer` persona's), where Dana was copied and wrote.
    theirs = services.create_ticket(
        workspace, by=Actor.of(customer), subject="Shared account", body="Us both.",
        requester=customer,
        attachments=[services.store_attachment(
            workspace, SimpleUploadedFile("same.pdf", FILE), by=None)],
    )  # fmt: skip
    theirs.followers.add(dana)
    services.add_customer_message(theirs, dana, body="Dana here, I agree.")
    return dana


def test_erasing_a_customer_leaves_nothing_about_them(
    dana, workspace, admin, agent, customer, django_capture_on_commit_callbacks
):
    own_files = list(
        Attachment.objects.filter(message__ticket__requester=dana).values_list("file", flat=True)
    )
    assert own_files and InboundEmail.objects.filter(sender="dana@example.com").exists()
    assert people.Kudos.objects.filter(source="customer", rating__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        counts = services.erase_customer(dana, by=Actor.of(admin))

    assert counts == {"tickets": 2, "messages": 3, "redacted": 1, "files": 1}
    assert not Customer.objects.filter(pk=dana.pk).exists()
    assert not Ticket.objects.filter(requester_id=dana.pk).exists()
    assert not InboundEmail.objects.filter(workspace=workspace).exists()
    assert not ChatSession.objects.exists() and not BotTurn.objects.exists()
    assert not Rating.objects.exists() and not people.Testimonial.objects.exists()
    assert not User.objects.filter(email="dana@example.com").exists()
    # Nothing in the log names them; one entry says an erasure happened, with counts.
    log = json.dumps(list(Event.objects.values("before", "after")))
    assert "dana@example.com" not in log and "Dana" not in log
    erased = Event.objects.get(kind="customer.erased")
    assert erased.after == counts and erased.actor_user == admin
    # Their words on the colleague's ticket are gone; the colleague's are not.
    theirs = Ticket.objects.get(requester=customer)
    texts = list(theirs.messages.order_by("pk").values_list("body_text", flat=True))
    assert texts == ["Us both.", services.customers.ERASED_TEXT]
    assert find_tickets(admin, workspace, "Zanzibarian").total == 0
    # The agent keeps the kudos, without the customer's words.
    kudos = people.Kudos.objects.get(source="customer")
    assert kudos.receiver == agent and "Dana" not in kudos.message and kudos.rating is None
    # Their stored files go; another customer's file with the same content stays.
    assert not [f for f in own_files if default_storage.exists(f)]
    shared = theirs.messages.first().attachments.get()
    assert shared.file.read() == FILE


def test_only_admins_erase_and_only_in_their_workspace(
    dana, workspace, admin, agent, stranger, other_workspace
):
    path = f"/customers/{dana.pk}/erase"
    assert api_for(agent, workspace).post(path).status_code == 403
    stranger.memberships.update(role="admin")  # an admin, of another workspace
    assert api_for(stranger, other_workspace).post(path).status_code == 404
    page = reverse("customer", args=[workspace.slug, dana.pk])
    assert "Erase" not in signed_in(agent).get(page).content.decode()
    erase = reverse("customer_erase", args=[workspace.slug, dana.pk])
    assert signed_in(agent).post(erase).status_code == 403
    assert Client().post(erase).status_code == 302  # to sign in
    assert Customer.objects.filter(pk=dana.pk).exists()

    shown = signed_in(admin).get(page).content.decode()
    assert "This cannot be undone" in shown and "data-confirm" in shown
    done = api_for(admin, workspace).post(path)
    assert done.status_code == 200 and done.data["tickets"] == 2
    assert not Customer.objects.filter(pk=dana.pk).exists()


def test_an_admin_downloads_what_we_hold_about_a_customer(dana, workspace, admin, agent):
    url = reverse("customer_data", args=[workspace.slug, dana.pk])
    page = signed_in(admin).get(url)
    assert page.status_code == 200 and "attachment" in page["Content-Disposition"]
    data = json.loads(page.content)
    assert data["customer"]["emails"] == ["dana@example.com"]
    assert [t["subject"] for t in data["tickets"]] == ["Card not arriving", "Zanzibarian fee"]
    first = data["tickets"][0]["messages"]
    assert [m["from"] for m in first] == ["you", agent.name]
    assert data["tickets"][1]["messages"][0]["files"] == ["statement.pdf"]
    assert data["written_on_other_tickets"][0]["text"] == "Dana here, I agree."
    assert data["ratings"][0]["comment"] == "Thank you so much, Dana is very happy!"
    assert data["chats"][0]["email_given"] == "dana@example.com"
    assert data["virtual_agent"][0]["question"] == "where is my card"
    assert Event.objects.filter(kind="customer.data_exported", actor_user=admin).exists()
    # Agents do not; the API answers the same for admins.
    assert (
        signed_in(agent).get(reverse("customer_data", args=[workspace.slug, dana.pk])).status_code
        == 403
    )
    assert api_for(agent, workspace).get(f"/customers/{dana.pk}/data").status_code == 403
    by_api = api_for(admin, workspace).get(f"/customers/{dana.pk}/data")
    assert by_api.status_code == 200 and by_api.data["customer"]["name"] == data["customer"]["name"]
