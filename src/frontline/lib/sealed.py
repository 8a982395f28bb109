"""Secrets kept in the database (mailbox passwords, tokens), encrypted with a key derived
from SECRET_KEY (Fernet: AES-128-CBC + HMAC). Whoever reads a database dump without the
environment learns nothing. To rotate SECRET_KEY, put the old one in SECRET_KEY_FALLBACKS
(as for Django's own signatures): secrets sealed with it are still read."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealedError(Exception):
    """The secret was sealed with another SECRET_KEY (or is damaged)."""


def _key(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"frontline.sealed:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    """Seals with SECRET_KEY; reads with it or any of SECRET_KEY_FALLBACKS."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_key(k) for k in keys])


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SealedError(
            "the stored secret cannot be read (SECRET_KEY changed without the old one in "
            "SECRET_KEY_FALLBACKS?); enter it again"
        ) from exc
