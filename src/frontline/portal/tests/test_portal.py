"""Customers submit requests on the web form, sign in with a one-time emailed link, and
follow their own requests, never seeing internal notes or other people's tickets."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.portal import services
from frontline.testing.personas import run_tasks
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_rate_limits")]


def link_in(message) -> str:
    return re.search(r"http://\S+/sign-in/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def submit(client, workspace, **overrides):
    form = {
        "name": "Dana Doe",
        "email": "dana@example.com",
        "subject": "Card not arriving",
        "body": "I ordered a card three weeks ago.",
        **overrides,
    }
    return client.post(reverse("portal_new", args=[workspace.slug]), form)


def signed_in_customer(client, workspace, email="dana@example.com"):
    client.post(reverse("portal_send_link", args=[workspace.slug]), {"email": email})
    run_tasks()
    url = link_in(mail.outbox[-1])
    client.post(path_of(url))
    return client


def test_web_form_creates_a_ticket_and_emails_a_confirmation_with_a_link(workspace):
    client = Client()
    response = submit(
        client, workspace, attachments=SimpleUploadedFile("receipt.txt", b"order 123")
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(workspace=workspace, subject="Card not arriving")
    assert ticket.channel == "web" and ticket.requester.name == "Dana Doe"
    assert ticket.messages.get().attachments.get().filename == "receipt.txt"
    assert f"#{ticket.number}" in client.get(response["Location"]).content.decode()
    assert mail.outbox == []  # sent by the worker, not inside the request
    run_tasks()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["dana@example.com"]
    assert f"[#{ticket.number}]" in confirmation.subject
    assert link_in(confirmation).startswith("http://127.0.0.1:8000/support/acme/sign-in/")


def test_web_form_errors_keep_what_was_typed(workspace):
    response = submit(Client(), workspace, email="not-an-email", body="Please keep this text")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Please keep this text" in html
    # The reason stands next to the email field, which is marked invalid.
    assert '<p class="field-error" id="email-error">Not-an-email is not a valid email' in html
    assert 'aria-describedby="email-error"' in html
    assert not Ticket.objects.filter(workspace=workspace).exists()


def test_programs_and_oversized_files_are_refused_with_a_message_and_the_text_kept(
    workspace, settings
):
    renamed = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60)  # an .exe
    response = submit(Client(), workspace, body="Here is the invoice", attachments=renamed)
    html = response.content.decode()
    assert response.status_code == 415 and "is a program or script" in html
    assert "Here is the invoice" in html
    script = submit(Client(), workspace, attachments=SimpleUploadedFile("fix.bat", b"del *"))
    assert script.status_code == 415
    settings.FRONTLINE_MAX_ATTACHMENT_BYTES = 10
    big = submit(Client(), workspace, attachments=SimpleUploadedFile("big.txt", b"x" * 100))
    assert big.status_code == 413 and "larger than" in big.content.decode()
    assert not Ticket.objects.filter(workspace=workspace).exists()


def test_public_custom_fields_are_on_the_web_form_and_private_ones_are_not(workspace, agent):
    by = Actor.of(agent)
    tickets.create_custom_field(
        workspace, by=by, key="order", label="Order number", type="number", public=True
    )
    tickets.create_custom_field(workspace, by=by, key="risk", label="Risk score", type="number")
    client = Client()
    form = client.get(reverse("portal_new", args=[workspace.slug])).content.decode()
    assert "Order number" in form and "Risk score" not in form

    bad = submit(client, workspace, cf_order="abc", body="Keep me")
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Order number must be a number" in html and 'value="abc"' in html
    assert "Keep me" in html

    # A field that is not public cannot be set by a customer, even by hand.
    assert submit(client, workspace, cf_risk="99").status_code == 302
    assert submit(client, workspace, cf_order="1234").status_code == 302
    first, second = Ticket.objects.filter(workspace=workspace).order_by("pk")
    assert first.custom_fields == {} and second.custom_fields == {"order": 1234}
    with pytest.raises(ServiceError, match="customers can fill in"):
        services.submit_request(
            workspace,
            name="Dana",
            email="dana@example.com",
            subject="Hi",
            body="x",
            custom_fields={"risk": 5},
        )

    signed_in_customer(client, workspace)
    page = client.get(reverse("portal_ticket", args=[workspace.slug, second.number]))
    assert "Order number" in page.content.decode() and "1234" in page.content.decode()


def test_bots_filling_the_honeypot_create_nothing(workspace):
    response = submit(Client(), workspace, website="http://spam.example")
    assert response.status_code == 302
    assert not Ticket.objects.filter(workspace=workspace).exists()


def test_the_web_form_is_rate_limited(workspace):
    client = Client()
    codes = [submit(client, workspace, subject=f"Spam {i}").status_code for i in range(12)]
    assert codes.count(302) == 10 and codes[-1] == 429


def test_a_link_signs_in_once_and_shows_only_the_customers_tickets(workspace, customer, ticket):
    other = tickets.create_ticket(
        workspace,
        by=Actor.of(None),
        subject="Someone else's",
        body="b",
        requester_email="zed@example.com",
    )
    client = Client()
    client.post(reverse("portal_send_link", args=[workspace.slug]), {"email": customer.email})
    run_tasks()
    url = path_of(link_in(mail.outbox[-1]))
    assert b"Continue to my requests" in client.get(url).content  # GET does not use it
    assert client.post(url).status_code == 302
    page = client.get(reverse("portal_home", args=[workspace.slug])).content.decode()
    assert ticket.subject in page and "Someone else" not in page
    other_url = reverse("portal_ticket", args=[workspace.slug, other.number])
    assert client.get(other_url).status_code == 404
    # The link is spent.
    assert Client().post(url).status_code == 410


def test_expired_links_do_not_work(workspace, customer):
    secret = services.issue_link(customer)
    url = reverse("portal_link", args=[workspace.slug, secret])
    with clock.replaying(clock.now() + timedelta(minutes=31)):
        response = Client().post(url)
    assert response.status_code == 410
    assert b"expired" in response.content


def test_unknown_addresses_get_the_same_answer_and_no_email(workspace, customer):
    client = Client()
    known = client.post(
        reverse("portal_send_link", args=[workspace.slug]), {"email": customer.email}
    )
    unknown = client.post(reverse("portal_send_link", args=[workspace.slug]), {"email": "x@y.z"})
    main = re.compile(rb"<main.*</main>", re.S)
    assert main.search(known.content).group(0) == main.search(unknown.content).group(0)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[customer.email]]


def test_customers_never_see_internal_notes(workspace, agent, customer, ticket):
    tickets.add_note(ticket, by=Actor.of(agent), body="Suspected fraud, do not tell")
    tickets.reply(ticket, by=Actor.of(agent), body="We are checking your card.")
    client = signed_in_customer(Client(), workspace, customer.email)
    page = client.get(reverse("portal_ticket", args=[workspace.slug, ticket.number]))
    html = page.content.decode()
    assert "We are checking your card." in html
    assert "Suspected fraud" not in html


def test_customer_replies_and_marks_solved(workspace, agent, customer, ticket):
    tickets.reply(ticket, by=Actor.of(agent), body="Did the new card arrive?", status="pending")
    client = signed_in_customer(Client(), workspace, customer.email)
    reply = reverse("portal_reply", args=[workspace.slug, ticket.number])
    photo = SimpleUploadedFile("box.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    assert client.post(reply, {"body": "Not yet, sadly.", "attachments": photo}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.messages.get(body_text="Not yet, sadly.").attachments.get().filename == "box.png"
    assert ticket.status == "open"  # the customer's answer reopens it for the agents
    assert ticket.messages.filter(body_text="Not yet, sadly.", author_type="customer").exists()
    solve = reverse("portal_solve", args=[workspace.slug, ticket.number])
    client.post(solve)
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_signed_out_visitors_cannot_read_or_write(workspace, ticket):
    client = Client()
    url = reverse("portal_ticket", args=[workspace.slug, ticket.number])
    assert client.get(url).status_code == 302
    reply = reverse("portal_reply", args=[workspace.slug, ticket.number])
    assert client.post(reply, {"body": "hi"}).status_code == 404
    assert not ticket.messages.filter(body_text="hi").exists()


def test_a_customer_of_one_workspace_cannot_use_another(workspace, other_workspace, customer):
    client = signed_in_customer(Client(), workspace, customer.email)
    other = tickets.create_ticket(
        other_workspace,
        by=Actor.of(None),
        subject="Globex",
        body="b",
        requester_email=customer.email,
    )
    url = reverse("portal_ticket", args=[other_workspace.slug, other.number])
    assert client.get(url).status_code == 302  # not signed in there


def test_customers_download_files_on_their_public_messages_only(
    workspace, agent, customer, ticket, other_workspace
):
    def upload(name):
        return tickets.store_attachment(
            workspace, SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode()), by=agent
        )

    public, internal = upload("guide.pdf"), upload("fraud-notes.pdf")
    tickets.reply(ticket, by=Actor.of(agent), body="See the guide.", attachments=[public])
    tickets.add_note(ticket, by=Actor.of(agent), body="Internal.", attachments=[internal])
    client = signed_in_customer(Client(), workspace, customer.email)
    page = client.get(reverse("portal_ticket", args=[workspace.slug, ticket.number]))
    assert "guide.pdf" in page.content.decode() and "fraud-notes" not in page.content.decode()
    file = client.get(reverse("portal_download", args=[workspace.slug, public.pk]))
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF-1.4 guide.pdf")
    assert file["Content-Disposition"].startswith("attachment")
    assert file["X-Content-Type-Options"] == "nosniff"
    assert (
        client.get(reverse("portal_download", args=[workspace.slug, internal.pk])).status_code
        == 404
    )
    assert (
        Client().get(reverse("portal_download", args=[workspace.slug, public.pk])).status_code
        == 404
    )


def test_a_customer_chooses_a_password_and_signs_in_with_it(workspace, customer):
    client = signed_in_customer(Client(), workspace, customer.email)
    home = reverse("portal_home", args=[workspace.slug])
    change = reverse("portal_password", args=[workspace.slug])
    assert "choose a password" in client.get(home).content.decode()
    short = client.post(change, {"password": "short", "password_again": "short"})
    assert short.status_code == 422 and "too short" in short.content.decode()
    typo = client.post(change, {"password": "a long pass 1", "password_again": "a long pass 2"})
    assert "not the same" in typo.content.decode()
    client.post(change, {"password": "correct horse 42", "password_again": "correct horse 42"})

    sign_in = reverse("portal_password_sign_in", args=[workspace.slug])
    fresh = Client()
    wrong = fresh.post(sign_in, {"email": customer.email, "password": "nope nope nope"})
    unknown = fresh.post(sign_in, {"email": "who@example.com", "password": "correct horse 42"})
    for refused in (wrong, unknown):
        assert refused.status_code == 401
        assert "do not match" in refused.content.decode()  # the same words for both
    ok = fresh.post(sign_in, {"email": customer.email.upper(), "password": "correct horse 42"})
    assert ok["Location"] == home
    assert "My requests" in fresh.get(home).content.decode()

    fresh.post(change, {"remove": "1"})
    again = Client().post(sign_in, {"email": customer.email, "password": "correct horse 42"})
    assert again.status_code == 401


def test_password_guessing_is_rate_limited(workspace, customer):
    services.set_password(customer, "correct horse 42")
    sign_in = reverse("portal_password_sign_in", args=[workspace.slug])
    client = Client()
    codes = []
    # The limit is 10 an hour. Its window ends at a set second of the hour, which a burst
    # can straddle once: within 21 guesses one window has seen more than 10, whenever it runs.
    while 429 not in codes and len(codes) < 21:
        guess = {"email": customer.email, "password": f"guess {len(codes)}"}
        codes.append(client.post(sign_in, guess).status_code)
    assert codes[0] == 401 and codes[-1] == 429
    # Over the limit even the right password waits, so guessing gains nothing.
    right = client.post(sign_in, {"email": customer.email, "password": "correct horse 42"})
    assert right.status_code == 429


def test_only_a_signed_in_customer_sets_a_password(workspace):
    response = Client().post(
        reverse("portal_password", args=[workspace.slug]),
        {"password": "correct horse 42", "password_again": "correct horse 42"},
    )
    assert response.status_code == 404
