"""Agents' replies reach the customer by email through a real SMTP server on loopback,
threaded so that the customer's answer comes back to the same ticket."""

import socket

import pytest
from django.urls import reverse

from frontline.email import inbound, outbound
from frontline.email.models import MessageEmail
from frontline.email.tests.test_inbound import read
from frontline.testing.browser import _free_port
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def use_smtp(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings, outbox):
    box, port = outbox
    use_smtp(settings, port)
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.test>"
    box.port = port
    box.messages.clear()  # the server lives for the session; each test reads its own mail
    return box


def sent_to(box, address, subject_part):
    return [m for m in box.messages if address in m["To"] and subject_part in m["Subject"]]


def test_a_reply_is_emailed_threaded_and_the_answer_comes_back(workspace, agent, smtp):
    ticket = inbound.process(inbound.receive(workspace, read("new_request.eml")).pk).ticket
    from django.core.files.uploadedfile import SimpleUploadedFile

    label = tickets.store_attachment(
        workspace, SimpleUploadedFile("tracking.pdf", b"%PDF-1.4 tracking RM123"), by=agent
    )
    reply = tickets.reply(
        ticket, by=Actor.of(agent), body="Your card was posted today.", attachments=[label]
    )
    out = MessageEmail.objects.get(message=reply)
    assert out.status == "queued"  # not sent until the server accepted it
    run_tasks()
    out.refresh_from_db()
    assert out.status == "sent" and out.sent_at is not None
    (mail,) = sent_to(smtp, "dana@example.com", f"Re: [#{ticket.number}]")
    assert mail["Subject"] == f"Re: [#{ticket.number}] Card not arriving"
    assert mail["Message-ID"] == out.rfc_message_id
    assert mail["In-Reply-To"] == "<CAF1234.dana@mail.example.com>"
    assert "<CAF1234.dana@mail.example.com>" in mail["References"]
    assert mail["Cc"] == "sam@example.com"
    assert mail["Reply-To"] == f"Acme Support <support+{ticket.number}@acme.test>"
    kinds = [p.get_content_type() for p in mail.walk()]
    assert "text/plain" in kinds and "text/html" in kinds
    (pdf,) = [p for p in mail.walk() if p.get_filename() == "tracking.pdf"]
    assert pdf.get_payload(decode=True) == b"%PDF-1.4 tracking RM123"  # sent with the reply

    # Dana answers that email: it joins the same ticket.
    answer = (
        b"From: dana@example.com\nTo: support+%d@acme.test\nSubject: Re: card\n"
        b"Message-ID: <answer-1@mail.example.com>\nIn-Reply-To: %s\n\nGot it, thanks!\n"
        % (ticket.number, out.rfc_message_id.encode())
    )
    assert inbound.process(inbound.receive(workspace, answer).pk).ticket == ticket


def test_notes_and_chats_are_never_emailed(workspace, agent, customer, smtp):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Chat", body="hi", requester=customer,
        channel="chat",
    )  # fmt: skip
    tickets.reply(ticket, by=Actor.of(agent), body="Hello from chat")
    email_ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Mail", body="hi", requester=customer,
        channel="email",
    )  # fmt: skip
    tickets.add_note(email_ticket, by=Actor.of(agent), body="Internal only")
    assert not MessageEmail.objects.filter(direction="out").exists()


def test_an_smtp_outage_is_shown_retried_and_then_delivered(
    workspace, agent, customer, smtp, settings
):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Outage", body="hi", requester=customer,
        channel="email",
    )  # fmt: skip
    use_smtp(settings, _free_port())  # nothing listens there
    reply = tickets.reply(ticket, by=Actor.of(agent), body="We are on it.")
    run_tasks()
    out = MessageEmail.objects.get(message=reply)
    assert out.status == "retrying" and out.attempts == 1 and out.next_attempt_at is not None
    assert "ConnectionRefusedError" in out.error or "Errno" in out.error
    page = signed_in(agent).get(reverse("ticket", args=[workspace.slug, ticket.number]))
    assert "Sending failed, will retry" in page.content.decode()

    use_smtp(settings, smtp.port)  # the server is back
    assert outbound.send(out.pk).status == "sent"
    assert sent_to(smtp, customer.email, "Outage")
    assert outbound.send(out.pk).status == "sent"  # a second run sends nothing twice
    assert len(sent_to(smtp, customer.email, "Outage")) == 1


def test_free_port_is_really_closed():
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", _free_port()), timeout=1)
