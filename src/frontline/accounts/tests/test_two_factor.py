"""Members turn on two-factor sign-in with an authenticator app; signing in then needs a
code as well as the password."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts import two_factor
from frontline.testing.personas import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def code_for(device: TOTPDevice, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = totp.time + later
    return f"{totp.token():06d}"


def test_turning_it_on_from_settings_then_signing_in_needs_a_code(agent, workspace):
    client = Client()
    client.force_login(agent)
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("settings_action", args=[workspace.slug, action]), data, follow=True
    )
    page = act("2fa-start").content.decode()
    assert "QR code for your authenticator app" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=agent)
    assert len(secret) >= 16 and not device.confirmed
    assert "not right" in act("2fa-confirm", code="000000").content.decode()
    # Right after a wrong code, even a right one waits (django-otp's throttling).
    assert "Too many wrong codes" in act("2fa-confirm", code=code_for(device)).content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert "is on" in act("2fa-confirm", code=code_for(device)).content.decode()
    assert two_factor.is_enabled(agent)

    fresh = Client()
    step1 = fresh.post(reverse("sign_in"), {"username": agent.email, "password": PASSWORD})
    assert step1["Location"] == reverse("sign_in_code")
    assert "_auth_user_id" not in fresh.session  # not signed in after the password alone
    wrong = fresh.post(reverse("sign_in_code"), {"code": "123456"})
    assert wrong.status_code == 422 and "_auth_user_id" not in fresh.session
    device.refresh_from_db()
    device.throttle_reset()
    ok = fresh.post(reverse("sign_in_code"), {"code": code_for(device, later=30)})
    assert ok.status_code == 302
    assert fresh.session["_auth_user_id"] == str(agent.pk)


def test_the_code_step_needs_the_password_step_first(agent):
    assert Client().get(reverse("sign_in_code"))["Location"] == reverse("sign_in")


def test_turning_it_off_needs_the_current_password(agent, workspace):
    device = two_factor.start_setup(agent)
    two_factor.confirm_setup(agent, code_for(device))
    client = Client()
    client.force_login(agent)
    url = reverse("settings_action", args=[workspace.slug, "2fa-disable"])
    client.post(url, {"password": "wrong"})
    assert two_factor.is_enabled(agent)
    client.post(url, {"password": PASSWORD})
    assert not two_factor.is_enabled(agent)
