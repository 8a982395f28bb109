"""Admins connect IMAP mailboxes from the settings pages and the API: the connection is
tested on save, the password is kept sealed and never shown again, agents cannot look."""

import pytest
from django.urls import reverse

from frontline.email.models import Mailbox
from frontline.email.tests.test_imap import numbered
from frontline.lib.sealed import unseal
from frontline.testing.api_client import api_for
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def form(server, user, password, **changes) -> dict:
    return {
        "name": "Support",
        "address": "support@acme.test",
        "host": server.host,
        "port": str(server.port),
        "security": "none",
        "folder": "INBOX",
        "username": user,
        "auth": "password",
        "secret": password,
        "poll_seconds": "60",
        "enabled": "on",
    } | changes


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_admin_connects_a_mailbox_and_its_mail_becomes_tickets(admin, workspace, dovecot):
    user, password = dovecot.add_user()
    dovecot.append(user, password, numbered(1))
    client = signed_in(admin)
    url = reverse("mailboxes", args=[workspace.slug])
    r = client.post(url, form(dovecot, user, password), follow=True)
    assert "support@acme.test connected. Connected: 1 message in INBOX" in flashes(r)[0]
    assert "supports IDLE" in flashes(r)[0]
    mailbox = Mailbox.objects.get()
    assert unseal(mailbox.secret) == password and password not in mailbox.secret
    assert password.encode() not in r.content  # never shown again

    r = client.post(reverse("mailbox_action", args=[workspace.slug, mailbox.pk, "fetch"]))
    run_tasks()
    assert Ticket.objects.get().subject == "Question 1"
    page = client.get(url).content.decode()
    assert "Support" in page and "ago" in page and "<td>1</td>" in page


def test_a_wrong_password_is_saved_with_a_warning_and_can_be_fixed(admin, workspace, dovecot):
    user, password = dovecot.add_user()
    client = signed_in(admin)
    r = client.post(
        reverse("mailboxes", args=[workspace.slug]),
        form(dovecot, user, "not-it"),
        follow=True,
    )
    assert "But it could not connect" in flashes(r)[0]
    assert "AUTHENTICATIONFAILED" in flashes(r)[0]
    mailbox = Mailbox.objects.get()
    detail = reverse("mailbox", args=[workspace.slug, mailbox.pk])
    # Saving without a password keeps the stored one (still wrong) ...
    r = client.post(detail, form(dovecot, user, "", name="Support desk"), follow=True)
    assert "could not connect" in flashes(r)[0]
    mailbox.refresh_from_db()
    assert mailbox.name == "Support desk" and unseal(mailbox.secret) == "not-it"
    # ... and a new one replaces it.
    r = client.post(detail, form(dovecot, user, password), follow=True)
    assert flashes(r)[0].startswith("Saved. Connected")


def test_a_rejected_form_keeps_what_was_typed_except_the_password(admin, workspace):
    r = signed_in(admin).post(
        reverse("mailboxes", args=[workspace.slug]),
        form(type("S", (), {"host": "imap.acme.test", "port": 993}), "me", "pw", port="99999"),
    )
    assert r.status_code == 422
    assert "port: must be a number from 1 to 65535" in flashes(r)[0]
    page = r.content.decode()
    assert 'value="imap.acme.test"' in page and 'value="99999"' in page
    assert 'value="pw"' not in page
    assert not Mailbox.objects.exists()


def test_removing_needs_a_tick_and_keeps_the_tickets(admin, workspace, dovecot):
    user, password = dovecot.add_user()
    client = signed_in(admin)
    dovecot.append(user, password, numbered(3))
    client.post(
        reverse("mailboxes", args=[workspace.slug]), form(dovecot, user, password), follow=True
    )
    mailbox = Mailbox.objects.get()
    client.post(reverse("mailbox_action", args=[workspace.slug, mailbox.pk, "fetch"]))
    run_tasks()
    client.get(reverse("mailbox", args=[workspace.slug, mailbox.pk]))  # reads the flash
    delete = reverse("mailbox_action", args=[workspace.slug, mailbox.pk, "delete"])
    r = client.post(delete, follow=True)
    assert "Tick the box" in flashes(r)[0] and Mailbox.objects.exists()
    client.post(delete, {"sure": "on"})
    assert not Mailbox.objects.exists()
    assert Ticket.objects.get().subject == "Question 3"


def test_only_admins_of_the_workspace_see_mailboxes(agent, stranger, admin, workspace):
    from frontline.email.mailboxes import create_mailbox
    from frontline.tickets.events import Actor

    mailbox = create_mailbox(
        workspace, by=Actor.of(admin), name="S", address="s@acme.test", host="h",
        username="u", secret="p",
    )  # fmt: skip
    urls = [
        reverse("mailboxes", args=[workspace.slug]),
        reverse("mailbox", args=[workspace.slug, mailbox.pk]),
    ]
    for url in urls:
        assert signed_in(agent).get(url).status_code == 403
        assert signed_in(stranger).get(url).status_code == 404
        assert signed_in(agent).post(url, {"name": "Mine"}).status_code == 403
    fetch = reverse("mailbox_action", args=[workspace.slug, mailbox.pk, "delete"])
    assert signed_in(agent).post(fetch, {"sure": "on"}).status_code == 403
    assert Mailbox.objects.get().name == "S"


def test_the_api_manages_mailboxes_and_never_returns_the_secret(admin, agent, workspace, dovecot):
    user, password = dovecot.add_user()
    api = api_for(admin, workspace)
    body = {
        "name": "Support", "address": "support@acme.test", "host": dovecot.host,
        "port": dovecot.port, "security": "none", "username": user, "secret": password,
    }  # fmt: skip
    r = api.post("/mailboxes", body)
    assert r.status_code == 201, r.data
    assert r.data["has_secret"] and "secret" not in r.data and password not in r.content.decode()
    pk = r.data["id"]
    assert api.post(f"/mailboxes/{pk}/check").data["ok"] is True

    r = api.patch(f"/mailboxes/{pk}", {"secret": "wrong"})
    assert r.status_code == 200
    check = api.post(f"/mailboxes/{pk}/check").data
    assert check["ok"] is False and "AUTHENTICATIONFAILED" in check["message"]

    r = api.patch(f"/mailboxes/{pk}", {"poll_seconds": 5})
    assert r.status_code == 422 and "poll_seconds" in r.data["message"]
    r = api.post("/mailboxes", body | {"password": "x"})
    assert r.status_code == 422 and "password" in str(r.data)

    as_agent = api_for(agent, workspace)
    assert as_agent.get("/mailboxes").status_code == 403
    assert as_agent.get(f"/mailboxes/{pk}").status_code == 403
    assert as_agent.post(f"/mailboxes/{pk}/fetch").status_code == 403

    dovecot.append(user, password, numbered(2))
    api.patch(f"/mailboxes/{pk}", {"secret": password})
    assert api.post(f"/mailboxes/{pk}/fetch").status_code == 202
    run_tasks()
    assert Ticket.objects.get().subject == "Question 2"
    assert api.get(f"/mailboxes/{pk}").data["fetched_total"] == 1
    assert api.delete(f"/mailboxes/{pk}").status_code == 204
    assert api.get("/mailboxes").data == []
