"""Admins see what became of every email, read it raw, and retry a failed one."""

import pytest
from django.urls import reverse

from frontline.email import inbound
from frontline.email.models import InboundEmail
from frontline.email.tests.test_inbound import read
from frontline.testing.personas import signed_in

pytestmark = pytest.mark.django_db


def test_admin_sees_failures_with_their_reason_and_retries(admin, workspace, monkeypatch):
    good = inbound.process(inbound.receive(workspace, read("new_request.eml")).pk)
    # A parser bug of the day: the message fails, is kept, and succeeds after the fix.
    real_parse = inbound.parse
    monkeypatch.setattr(inbound, "parse", lambda raw: (_ for _ in ()).throw(RuntimeError("bug")))
    failed = inbound.process(inbound.receive(workspace, read("latin1.eml")).pk)
    assert failed.state == "failed"

    client = signed_in(admin)
    page = client.get(reverse("email_log", args=[workspace.slug])).content.decode()
    assert "1 message could not be processed" in page and "RuntimeError: bug" in page
    assert f"#{good.ticket.number}" in page

    raw = client.get(reverse("email_raw", args=[workspace.slug, failed.pk]))
    assert raw["Content-Type"].startswith("text/plain") and b"iso-8859-1" in raw.content

    monkeypatch.setattr(inbound, "parse", real_parse)
    client.post(reverse("email_retry", args=[workspace.slug, failed.pk]))
    failed.refresh_from_db()
    assert failed.state == "processed" and failed.ticket.subject == "Problème de carte"


def test_only_admins_of_the_workspace_see_email(agent, stranger, workspace):
    stored = inbound.receive(workspace, read("new_request.eml"))
    for name, args in [("email_log", []), ("email_raw", [stored.pk])]:
        url = reverse(name, args=[workspace.slug, *args])
        assert signed_in(agent).get(url).status_code == 403
        assert signed_in(stranger).get(url).status_code == 404
    retry = reverse("email_retry", args=[workspace.slug, stored.pk])
    assert signed_in(agent).post(retry).status_code == 403
    assert InboundEmail.objects.get().state == "received"
