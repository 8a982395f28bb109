"""Mail arrives through the inbound webhook (stored once, processed by the worker), and
the workspace's sender rules hold back blocked or flooding senders without losing a
single message."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from frontline.email import inbound, rules
from frontline.email.models import InboundEmail
from frontline.email.tests.test_imap import numbered
from frontline.email.tests.test_inbound import read
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)  # the webhook queues after commit


def from_(sender: str, n: int) -> bytes:
    return numbered(n).replace(f"c{n}@example.com".encode(), sender.encode())


def webhook_url(admin, workspace) -> str:
    page = signed_in(admin).post(
        reverse("email_settings_action", args=[workspace.slug, "webhook-token"])
    )
    return re.search(
        r'id="webhook-url">http://[^/]+(/inbound/email/[^<]+)<', page.content.decode()
    )[1]


def test_a_provider_posts_raw_mail_to_the_webhook_and_it_becomes_one_ticket(admin, workspace):
    url = webhook_url(admin, workspace)
    provider = Client()
    raw = read("new_request.eml")
    r = provider.post(url, raw, content_type="message/rfc822")
    assert r.status_code == 202 and r.json()["duplicate"] is False
    assert InboundEmail.objects.get().source == "webhook"
    run_tasks()
    ticket = Ticket.objects.get()
    assert ticket.subject == "Card not arriving" and ticket.channel == "email"
    # The provider retries after a timeout: stored once, still one ticket.
    again = provider.post(url, raw, content_type="message/rfc822")
    assert again.status_code == 202 and again.json() == {"id": r.json()["id"], "duplicate": True}
    run_tasks()
    assert Ticket.objects.count() == 1
    # SendGrid's Inbound Parse (raw mode) posts a form with the message in "email".
    r = provider.post(url, {"email": numbered(5).decode(), "to": "support@acme.test"})
    assert r.status_code == 202
    run_tasks()
    assert Ticket.objects.filter(subject="Question 5").exists()


def test_the_webhook_refuses_bad_tokens_and_bad_bodies_clearly(admin, workspace, settings):
    url = webhook_url(admin, workspace)
    provider = Client()
    forged = url[:-6] + "xxxxx/"
    assert provider.post(forged, b"x", content_type="message/rfc822").json()["code"] == (
        "unknown_token"
    )
    assert provider.post(url, b"  ", content_type="message/rfc822").status_code == 400
    r = provider.post(url, {"subject": "no message here"})
    assert r.status_code == 400 and "email or body-mime or message" in r.json()["message"]
    settings.FRONTLINE_MAX_EMAIL_BYTES = 100
    assert provider.post(url, numbered(1), content_type="message/rfc822").status_code == 413
    assert provider.get(url).status_code == 405
    assert not InboundEmail.objects.exists()

    # A new address replaces the old one; turning it off ends both.
    newer = webhook_url(admin, workspace)
    settings.FRONTLINE_MAX_EMAIL_BYTES = 10_000
    assert provider.post(url, numbered(2), content_type="message/rfc822").status_code == 404
    assert provider.post(newer, numbered(2), content_type="message/rfc822").status_code == 202
    signed_in(admin).post(reverse("email_settings_action", args=[workspace.slug, "webhook-revoke"]))
    assert provider.post(newer, numbered(3), content_type="message/rfc822").status_code == 404
    page = signed_in(admin).get(reverse("email_settings", args=[workspace.slug]))
    assert newer.split("/")[-2] not in page.content.decode()  # never shown again


def test_blocked_and_flooding_senders_are_held_and_can_be_let_through(admin, workspace):
    client = signed_in(admin)
    r = client.post(
        reverse("email_settings_action", args=[workspace.slug, "rules"]),
        {
            "blocked_senders": "spam@bad.test\n@junk.test",
            "allowed_senders": "boss@junk.test",
            "sender_limit_per_hour": "2",
        },
    )
    assert r.status_code == 302

    def deliver(sender, n):
        return inbound.process(inbound.receive(workspace, from_(sender, n)).pk)

    assert deliver("spam@bad.test", 1).reason == "sender is on the block list"
    assert deliver("anyone@junk.test", 2).state == "held"
    assert deliver("boss@junk.test", 3).state == "processed"  # the allow list wins
    assert [deliver("fan@example.com", n).state for n in (4, 5, 6)] == [
        "processed", "processed", "held",
    ]  # fmt: skip
    held = InboundEmail.objects.get(sender="fan@example.com", state="held")
    assert held.reason == "more than 2 messages from this sender in an hour"

    log = client.get(reverse("email_log", args=[workspace.slug]) + "?state=held")
    assert "Let it through" in log.content.decode() and "fan@example.com" in log.content.decode()
    client.post(reverse("email_retry", args=[workspace.slug, held.pk]))
    held.refresh_from_db()
    assert held.state == "processed" and held.ticket.subject == "Question 6"
    assert Ticket.objects.count() == 4


def test_a_wrong_rule_is_refused_with_the_line_and_nothing_changes(admin, workspace):
    rules.update_rules(workspace, by=Actor.of(admin), blocked_senders="a@b.test")
    r = signed_in(admin).post(
        reverse("email_settings_action", args=[workspace.slug, "rules"]),
        {"blocked_senders": "ok@b.test\nnot an address", "sender_limit_per_hour": "5"},
    )
    assert r.status_code == 422
    assert "not an address&#x27; is neither an address nor @domain" in r.content.decode()
    assert "ok@b.test" in r.content.decode()  # what was typed is kept
    assert rules.settings_for(workspace).blocked_senders == "a@b.test"


def test_only_admins_change_email_settings(agent, stranger, workspace):
    page = reverse("email_settings", args=[workspace.slug])
    token = reverse("email_settings_action", args=[workspace.slug, "webhook-token"])
    assert signed_in(agent).get(page).status_code == 403
    assert signed_in(stranger).get(page).status_code == 404
    assert signed_in(agent).post(token).status_code == 403
    assert not rules.settings_for(workspace).webhook_token_hash


def test_the_api_reads_and_changes_sender_rules(admin, agent, workspace):
    from frontline.testing.api_client import api_for

    api = api_for(admin, workspace)
    assert api.get("/email-settings").data == {
        "blocked_senders": [], "allowed_senders": [], "sender_limit_per_hour": 30,
        "webhook_active": False,
    }  # fmt: skip
    r = api.patch("/email-settings", {"blocked_senders": ["@Junk.test", "@junk.test"]})
    assert r.status_code == 200 and r.data["blocked_senders"] == ["@junk.test"]
    r = api.patch("/email-settings", {"sender_limit_per_hour": -1})
    assert r.status_code == 422 and r.data["details"][0]["field"] == "sender_limit_per_hour"
    r = api.patch("/email-settings", {"blocklist": ["x@y.test"]})
    assert r.status_code == 422
    assert api_for(agent, workspace).get("/email-settings").status_code == 403
    assert inbound.process(inbound.receive(workspace, from_("a@junk.test", 1)).pk).state == "held"
