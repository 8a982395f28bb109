"""Mailbox passwords are stored encrypted, and survive a SECRET_KEY rotation done the
documented way (the old key in SECRET_KEY_FALLBACKS)."""

import pytest

from frontline.lib.sealed import SealedError, seal, unseal


def test_a_sealed_secret_is_unreadable_without_the_key_and_survives_rotation(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-" * 13, []
    sealed = seal("hunter2")
    assert "hunter2" not in sealed and unseal(sealed) == "hunter2"
    assert seal("hunter2") != sealed  # a fresh nonce each time

    settings.SECRET_KEY = "new-" * 13
    with pytest.raises(SealedError, match="SECRET_KEY_FALLBACKS"):
        unseal(sealed)
    settings.SECRET_KEY_FALLBACKS = ["old-" * 13]
    assert unseal(sealed) == "hunter2"
    assert seal("") == "" and unseal("") == ""
