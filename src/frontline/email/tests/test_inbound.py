"""Mail becomes tickets and replies, threads correctly, and nothing is lost or doubled."""

import re
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from frontline.email import inbound
from frontline.email.models import InboundEmail
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"


def read(name: str, **replace) -> bytes:
    raw = (MESSAGES / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), str(new).encode())
    return raw


def deliver(workspace, raw: bytes) -> InboundEmail:
    return inbound.process(inbound.receive(workspace, raw).pk)


@pytest.fixture
def first(workspace):
    done = deliver(workspace, read("new_request.eml"))
    assert done.state == "processed"
    return done.ticket


def test_a_new_mail_becomes_a_ticket_with_its_people(workspace, first):
    assert (first.channel, first.subject) == ("email", "Card not arriving")
    assert first.requester.email == "dana@example.com" and first.requester.name == "Dana Doe"
    message = first.messages.get()
    assert "still has not arrived" in message.body_text and "+44 20" not in message.body_text
    # Sam was copied: Sam follows the ticket.
    assert [c.email for c in first.followers.all()] == ["sam@example.com"]


def test_replies_thread_by_header_subject_token_and_reply_address(workspace, first):
    by_header = deliver(workspace, read("reply_by_header.eml"))
    by_token = deliver(workspace, read("reply_by_subject_token.eml", TICKET=first.number))
    by_plus = deliver(workspace, read("reply_by_plus_address.eml", TICKET=first.number))
    for done in (by_header, by_token, by_plus):
        assert done.state == "processed" and done.ticket == first
    bodies = list(first.messages.order_by("id").values_list("body_text", flat=True))
    assert bodies[1] == "It arrived this morning, thank you!"  # no quoted history
    assert "old card can be cancelled" in bodies[2] and "new PIN" in bodies[3]
    assert Ticket.objects.filter(workspace=workspace).count() == 1


def test_a_stranger_copying_a_subject_token_gets_a_ticket_of_their_own(workspace, first):
    raw = read("reply_by_subject_token.eml", TICKET=first.number).replace(
        b"From: dana@example.com", b"From: mallory@evil.example"
    )
    done = deliver(workspace, raw)
    assert done.ticket != first and done.ticket.requester.email == "mallory@evil.example"
    assert first.messages.count() == 1


def test_the_same_message_twice_makes_one_ticket(workspace, first):
    again = inbound.receive(workspace, read("new_request.eml"))
    assert inbound.process(again.pk).ticket == first
    # Fetched again with other transport headers: the Message-ID still matches.
    relayed = b"Received: from relay.example by mx.acme.test\n" + read("new_request.eml")
    assert inbound.receive(workspace, relayed).pk == again.pk
    assert InboundEmail.objects.count() == 1 and Ticket.objects.count() == 1


def test_machine_mail_and_loops_never_become_tickets(workspace, first, settings):
    assert deliver(workspace, read("auto_reply.eml")).reason == "auto-reply"
    assert deliver(workspace, read("bounce.eml")).reason == "bounce"
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.test>"
    loop = read("new_request.eml").replace(b"Dana@Example.com", b"support@acme.test")
    loop = loop.replace(b"CAF1234", b"LOOP1")
    assert "loop" in deliver(workspace, loop).reason
    tagged = read("new_request.eml").replace(b"Dana@Example.com", b"support+t7@acme.test")
    assert "loop" in deliver(workspace, tagged.replace(b"CAF1234", b"LOOP2")).reason
    assert Ticket.objects.count() == 1 and first.messages.count() == 1


def test_files_charsets_and_html_arrive_safely(workspace):
    files = deliver(workspace, read("attachments_inline.eml")).ticket
    message = files.messages.get()
    names = sorted(a.filename for a in message.attachments.all())
    assert names == ["error.png", "statement.pdf"]
    # The inline image shows in place, from its stored file, by a signed link.
    src = re.search(r'<img src="(/files/inline/[^"]+)"', message.body_html).group(1)
    image = Client().get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert Client().get(src[:-3] + "xyz").status_code == 404  # a forged link
    french = deliver(workspace, read("latin1.eml")).ticket
    assert french.subject == "Problème de carte" and french.requester.name == "François Lévesque"
    html = deliver(workspace, read("html_with_script.eml")).ticket.messages.get().body_html
    assert "<b>twice</b>" in html and "<script" not in html and "tracker.example" not in html


def test_agents_open_the_whole_original_of_a_reply(workspace, first, agent, stranger):
    from django.urls import reverse

    from frontline.testing.personas import signed_in

    thread = first.messages.get().email.rfc_message_id.encode()
    raw = (
        b"From: Dana Doe <dana@example.com>\nTo: support@acme.test\nSubject: Re: Card\n"
        b"Message-ID: <r9@example.com>\nIn-Reply-To: <" + thread + b">\n\nStill nothing."
        b"\n\nOn Mon, Support wrote:\n> Your card is on its way.\n"
    )  # fmt: skip
    reply = deliver(workspace, raw).message
    assert reply.ticket_id == first.pk and "on its way" not in reply.body_text
    page = signed_in(agent).get(reverse("ticket", args=[workspace.slug, first.number]))
    url = reverse("email_original", args=[workspace.slug, first.number, reply.pk])
    assert url in page.content.decode()
    original = signed_in(agent).get(url).content.decode()
    assert "Still nothing." in original and "&gt; Your card is on its way." in original
    assert signed_in(stranger).get(url).status_code == 404


def test_a_forwarded_mail_keeps_what_it_forwards(workspace):
    ticket = deliver(workspace, read("forwarded.eml")).ticket
    assert ticket.subject == "Fwd: Your transfer could not be completed"
    assert ticket.requester.email == "priya@example.com"  # the forwarder, not the original
    text = ticket.messages.get().body_text
    assert text.startswith("Hi, I got this from you this morning.")
    assert "reference TR-5521" in text and "From: Acme Bank" in text


def test_a_malformed_message_is_kept_flagged_and_can_be_retried(workspace):
    broken = deliver(workspace, read("malformed.eml"))
    assert broken.state == "failed" and "no From address" in broken.error
    assert bytes(InboundEmail.objects.get(pk=broken.pk).raw) == read("malformed.eml")
    assert inbound.reprocess(broken).state == "failed"  # still unreadable, still kept


def test_processing_twice_is_harmless(workspace):
    stored = inbound.receive(workspace, read("latin1.eml"))
    inbound.process(stored.pk)
    inbound.process(stored.pk)
    assert Ticket.objects.count() == 1


def test_ingest_command_reads_standard_input(workspace, monkeypatch):
    raw = read("new_request.eml")
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": BytesIO(raw)}))
    out = StringIO()
    call_command("ingest_email", "--workspace", workspace.slug, stdout=out)
    assert "became a ticket or a reply (ticket #1)" in out.getvalue()


def test_ingest_command_through_the_frontline_entry_point(tmp_path):
    """The real pipe: `frontline ingest-email` as a mail server would run it."""
    env = {"FRONTLINE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    exe = Path(sys.executable).with_name("frontline")
    subprocess.run([exe, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [exe, "create-workspace", "--name", "Acme", "--slug", "acme"],
        env=env,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [exe, "ingest-email", "--workspace", "acme"],
        input=read("new_request.eml"),
        env=env,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert b"ticket #1" in done.stdout
