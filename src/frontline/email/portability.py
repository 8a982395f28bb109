"""Email in a workspace export: the sender rules, the team's wording of notifications,
the mailboxes (without their passwords and tokens: they arrive switched off until an
admin enters them, and resume fetching where they stopped), every received email raw
(the failed and held ones too), and the Message-IDs that thread replies to tickets.

The inbound webhook's token is not written (only its hash is stored, and it is a
credential): the copy's admin makes a new one.
"""

from frontline.email.models import (
    EmailSettings,
    InboundEmail,
    Mailbox,
    MessageEmail,
    NotificationTemplate,
)
from frontline.tickets.portability import Importer, Rows, rows_section


def _switched_off(_imp: Importer, d: dict) -> dict:
    return {**d, "enabled": False}


def _not_sent_twice(_imp: Importer, d: dict) -> dict:
    """A reply still waiting to be sent stays with the server it was written on: two
    servers must never both send it."""
    if d.get("status") not in (MessageEmail.Status.QUEUED, MessageEmail.Status.RETRYING):
        return d
    error = "Not sent before the workspace was exported; it was not sent from this copy."
    return {**d, "status": MessageEmail.Status.FAILED, "error": error, "next_attempt_at": None}


ROWS = [
    Rows(
        "email_settings",
        EmailSettings,
        ("blocked_senders", "allowed_senders", "sender_limit_per_hour"),
        one_per_workspace=True,
    ),
    Rows(
        "notification_template",
        NotificationTemplate,
        ("kind", "enabled", "subject", "body", "updated_at"),
    ),
    Rows(
        "mailbox",
        Mailbox,
        (
            "name",
            "address",
            "host",
            "port",
            "security",
            "username",
            "auth",
            "oauth_token_url",
            "oauth_client_id",
            "folder",
            "enabled",
            "poll_seconds",
            "uidvalidity",
            "last_uid",
            "created_at",
        ),
        adjust=_switched_off,
    ),  # fmt: skip
    Rows(
        "inbound_email",
        InboundEmail,
        (
            "raw",
            "sha256",
            "rfc_message_id",
            "source",
            "sender",
            "state",
            "reason",
            "error",
            "received_at",
            "processed_at",
        ),
        refs={"ticket": "ticket", "message": "message"},
        keep_ids=True,
    ),  # fmt: skip
    Rows(
        "message_email",
        MessageEmail,
        (
            "rfc_message_id",
            "direction",
            "status",
            "attempts",
            "error",
            "next_attempt_at",
            "sent_at",
        ),
        refs={"message": "message", "inbound": "inbound_email"},
        adjust=_not_sent_twice,
    ),  # fmt: skip
]

SECTION = rows_section("email", 60, ROWS)
