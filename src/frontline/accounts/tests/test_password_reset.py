"""Agents who forgot their password get a one-hour link by email and choose a new one."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from frontline.testing.personas import run_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_rate_limits")]


def test_reset_by_email_link_then_sign_in_with_the_new_password(agent):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    assert mail.outbox == []  # the worker sends it
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [agent.email]
    link = re.search(r"http://\S+/reset/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    assert b"Choose a new password" in form.content
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-fresh-long-pass", "new_password2": "a-fresh-long-pass"}
    )
    assert done.status_code == 302
    signed_in = Client().post(
        reverse("sign_in"), {"username": agent.email, "password": "a-fresh-long-pass"}
    )
    assert signed_in.status_code == 302
    # The link was spent with the password change.
    assert b"does not work any more" in Client().get(path, follow=True).content


def test_unknown_addresses_get_the_same_page_and_no_email():
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    run_tasks()
    assert mail.outbox == []


def test_a_weak_new_password_is_refused(agent):
    client = Client()
    client.post(reverse("password_reset"), {"email": agent.email})
    run_tasks()
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    form = client.get("/" + link.split("/", 3)[3], follow=True)
    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert refused.status_code == 200
    assert b"too short" in refused.content
