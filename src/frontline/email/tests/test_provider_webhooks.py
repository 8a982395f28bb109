"""Mail providers post inbound mail in their own formats (parsed by django-anymail) to
the workspace's secret address; it is stored once and becomes a ticket."""

import json

import pytest
from django.test import Client

from frontline.email.models import InboundEmail
from frontline.email.tests.test_inbound import read
from frontline.email.tests.test_rules_and_webhook import webhook_url
from frontline.testing.personas import run_tasks
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def base(admin, workspace) -> str:
    return webhook_url(admin, workspace)


def test_postmark_with_the_raw_message_and_with_parsed_fields(base):
    provider = Client()
    raw = read("new_request.eml").decode()
    r = provider.post(
        base + "postmark/",
        json.dumps({"RawEmail": raw, "Headers": [], "MessageID": "pm-1"}),
        content_type="application/json",
    )
    assert r.status_code == 200
    # The same mail posted again (a provider retry) is stored once.
    provider.post(
        base + "postmark/",
        json.dumps({"RawEmail": raw, "Headers": [], "MessageID": "pm-1"}),
        content_type="application/json",
    )
    # Postmark without RawEmail: anymail rebuilds the message from the parsed fields.
    parsed = {
        "FromFull": {"Email": "lee@example.com", "Name": "Lee Park"},
        "ToFull": [{"Email": "support@acme.test", "Name": ""}],
        "Subject": "Transfer still pending",
        "TextBody": "My transfer from Monday is still pending.",
        "Headers": [{"Name": "Message-ID", "Value": "<pm-2@mail.example.com>"}],
        "Attachments": [],
    }
    assert (
        provider.post(
            base + "postmark/", json.dumps(parsed), content_type="application/json"
        ).status_code
        == 200
    )
    run_tasks()
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Card not arriving", "Transfer still pending",
    ]  # fmt: skip
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {"webhook:postmark"}
    lee = Ticket.objects.get(subject="Transfer still pending")
    assert lee.requester.email == "lee@example.com"
    assert "still pending" in lee.messages.get().body_text


def test_unknown_tokens_and_providers_are_refused(base):
    provider = Client()
    assert provider.post(base + "pigeonpost/", {}).status_code == 404
    wrong = base.replace("flin_", "flin_x") + "postmark/"
    assert provider.post(wrong, "{}", content_type="application/json").status_code == 404
    assert not InboundEmail.objects.exists()
