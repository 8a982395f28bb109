"""Two-factor sign-in with an authenticator app (TOTP), on django-otp's TOTPDevice
(which also throttles repeated wrong codes and refuses a code used twice)."""

import base64

import segno
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.models import User
from frontline.lib.errors import ServiceError, invalid

DEVICE_NAME = "Authenticator app"
THROTTLED = "Too many wrong codes in a row: wait a few seconds, then try the next code"


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_setup(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing an unfinished one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def setup_details(device: TOTPDevice) -> dict:
    """What the settings page shows: a QR code (SVG data URI) and the key to type in."""
    qr = segno.make(device.config_url, error="m")
    return {
        "qr": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }


def confirm_setup(user: User, code: str) -> None:
    device = pending_device(user)
    if device is None:
        raise ServiceError("Start the setup again: there is no authenticator waiting")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise ServiceError(THROTTLED, code="throttled", status=429)
    if not device.verify_token((code or "").replace(" ", "")):
        raise invalid("code", "That code is not right; check the time on your phone")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def disable(user: User, password: str) -> None:
    if not check_password(password or "", user.password):
        raise invalid("password", "Enter your current password to turn two-factor sign-in off")
    TOTPDevice.objects.filter(user=user).delete()


def verify(user: User, code: str) -> bool:
    """Whether the code is right; ServiceError while wrong codes are being throttled."""
    code = (code or "").replace(" ", "")
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if devices and not any(d.verify_is_allowed()[0] for d in devices):
        raise ServiceError(THROTTLED, code="throttled", status=429)
    return any(d.verify_token(code) for d in devices)
