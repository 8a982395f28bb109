"""A workspace moved with `frontline export`/`import` keeps its email: customers' replies
to old mail still thread into their tickets, stored originals (the unreadable ones too)
are kept byte for byte, mailboxes come without their secrets and switched off, and a
reply still waiting to be sent is never sent by the copy as well."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from frontline.accounts.models import Workspace
from frontline.email import inbound
from frontline.email.models import InboundEmail, Mailbox, MessageEmail, NotificationTemplate
from frontline.lib.sealed import seal
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"


def deliver(workspace, name: str) -> InboundEmail:
    return inbound.process(inbound.receive(workspace, (MESSAGES / name).read_bytes()).pk)


def test_email_history_threads_and_mailboxes_move_without_secrets(workspace, agent, tmp_path):
    first = deliver(workspace, "new_request.eml").ticket
    broken = deliver(workspace, "malformed.eml")
    tickets.reply(first, by=Actor.of(agent), body="A new card is on its way.")
    assert MessageEmail.objects.get(direction="out").status == "queued"
    Mailbox.objects.create(
        workspace=workspace, name="Support", address="help@acme.test", host="imap.acme.test",
        username="help", secret=seal("imap-password-1"), uidvalidity=7, last_uid=4242,
    )  # fmt: skip
    NotificationTemplate.objects.create(
        workspace=workspace, kind="solved", subject="All done: {{ ticket.subject }}", body="Bye"
    )

    path = tmp_path / "export.jsonl"
    call_command("export_workspace", workspace.slug, "--output", str(path), stdout=io.StringIO())
    text = path.read_text()
    assert "imap-password-1" not in text and Mailbox.objects.get().secret not in text
    assert {"inbound_email", "message_email", "mailbox"} <= {
        json.loads(x)["type"] for x in text.splitlines()
    }
    call_command("import_workspace", str(path), "--slug", "moved", stdout=io.StringIO())
    copy = Workspace.objects.get(slug="moved")

    # The customer answers the old email: it joins the moved ticket, not a new one.
    reply = deliver(copy, "reply_by_header.eml")
    moved_ticket = Ticket.objects.get(workspace=copy, number=first.number)
    assert reply.state == "processed" and reply.ticket == moved_ticket
    assert Ticket.objects.filter(workspace=copy).count() == 1

    kept = InboundEmail.objects.get(workspace=copy, state="failed")
    assert bytes(kept.raw) == bytes(broken.raw) and kept.error == broken.error

    outbound = MessageEmail.objects.get(workspace=copy, direction="out")
    assert outbound.status == "failed" and "not sent from this copy" in outbound.error
    assert outbound.message.ticket == moved_ticket

    mailbox = Mailbox.objects.get(workspace=copy)
    assert (mailbox.enabled, mailbox.secret, mailbox.uidvalidity, mailbox.last_uid) == (
        False, "", 7, 4242,
    )  # fmt: skip
    template = NotificationTemplate.objects.get(workspace=copy)
    assert template.subject == "All done: {{ ticket.subject }}"
