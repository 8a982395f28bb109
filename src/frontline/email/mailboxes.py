"""Mailboxes: the IMAP accounts a workspace receives mail in. Plain service functions,
called by the settings page and the API; each change is logged as an Event. The secret
(password or OAuth2 token) is sealed before it is stored and never returned."""

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from frontline.accounts.models import Workspace
from frontline.email.models import Mailbox
from frontline.lib.errors import invalid
from frontline.lib.sealed import seal
from frontline.tickets.events import Actor
from frontline.tickets.services.rows import clean_text, delete_logged, only_fields, save_logged

FIELDS = {
    "name", "address", "host", "port", "security", "username", "auth", "secret", "folder",
    "enabled", "poll_seconds", "oauth_token_url", "oauth_client_id", "oauth_client_secret",
    "oauth_refresh_token",
}  # fmt: skip
SEALED = ("secret", "oauth_client_secret", "oauth_refresh_token")
MIN_POLL_SECONDS = 30


def _clean(data: dict[str, Any], *, new: bool) -> dict[str, Any]:
    if new:
        data.setdefault("folder", "INBOX")
    for key, limit in (("name", 100), ("host", 253), ("username", 320), ("folder", 200)):
        clean_text(data, key, limit, required=new or key in data)
    if "address" in data or new:
        data["address"] = (data.get("address") or "").strip().lower()
        try:
            validate_email(data["address"])
        except ValidationError:
            raise invalid("address", "must be an email address") from None
    if "port" in data and not (isinstance(data["port"], int) and 0 < data["port"] < 65536):
        raise invalid("port", "must be a number from 1 to 65535")
    if "security" in data and data["security"] not in Mailbox.Security.values:
        raise invalid("security", f"must be one of {', '.join(Mailbox.Security.values)}")
    if "auth" in data and data["auth"] not in Mailbox.Auth.values:
        raise invalid("auth", f"must be one of {', '.join(Mailbox.Auth.values)}")
    if "poll_seconds" in data and not (
        isinstance(data["poll_seconds"], int) and data["poll_seconds"] >= MIN_POLL_SECONDS
    ):
        raise invalid("poll_seconds", f"must be at least {MIN_POLL_SECONDS} seconds")
    if "oauth_token_url" in data:
        url = (data["oauth_token_url"] or "").strip()
        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if url and not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise invalid("oauth_token_url", "must be an https:// address")
        data["oauth_token_url"] = url[:500]
    clean_text(data, "oauth_client_id", 300)
    refreshable = data.get("oauth_refresh_token") and data.get("oauth_token_url")
    if "secret" in data and not data["secret"] and not refreshable:
        raise invalid("secret", "is required (the password or token)")
    if new and "secret" not in data and not refreshable:
        raise invalid("secret", "is required (the password or token)")
    for key in SEALED:
        if data.get(key):
            data[key] = seal(data[key])
    if "secret" in data:
        data["token_expires_at"] = None  # a token typed in: used until refused
    return data


def _logged(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("(changed)" if k in SEALED else v) for k, v in data.items()}


def create_mailbox(workspace: Workspace, *, by: Actor, **fields: Any) -> Mailbox:
    data = _clean(only_fields(fields, FIELDS, "mailbox"), new=True)
    mailbox = Mailbox(workspace=workspace, **data)
    return save_logged(mailbox, by, "mailbox.created", after=_logged(data))


def update_mailbox(mailbox: Mailbox, *, by: Actor, changes: dict[str, Any]) -> Mailbox:
    data = _clean(only_fields(changes, FIELDS, "mailbox"), new=False)
    if {"host", "port", "username", "folder"} & set(data):
        # Another account or folder: its UIDs mean nothing here; start from its unread mail.
        data |= {"uidvalidity": None, "last_uid": 0}
    if data.get("enabled") or "secret" in data:
        data |= {"failures": 0, "last_error": ""}
    before = _logged({k: getattr(mailbox, k) for k in data})
    for key, value in data.items():
        setattr(mailbox, key, value)
    return save_logged(
        mailbox, by, "mailbox.updated", fields=list(data), before=before, after=_logged(data)
    )


def delete_mailbox(mailbox: Mailbox, *, by: Actor) -> None:
    delete_logged(mailbox, by, "mailbox.deleted")
