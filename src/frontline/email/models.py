"""Email as a channel: every inbound message stored raw before anything else, and the
Message-IDs that tie ticket messages to email threads."""

from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.tickets.models import Message, Ticket


class InboundEmail(models.Model):
    """One received message, raw, kept even when it cannot be parsed (then flagged)."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not processed yet"
        PROCESSED = "processed", "Became a ticket or a reply"
        IGNORED = "ignored", "Ignored (machine mail or loop)"
        HELD = "held", "Held back (block list or sender limit)"
        FAILED = "failed", "Could not be processed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # The Message-ID header ("<…@…>"); `message` is the ticket message it became.
    rfc_message_id = models.CharField(max_length=998, blank=True, db_index=True)
    source = models.CharField(max_length=20, default="pipe")  # pipe, imap, webhook
    sender = models.CharField(max_length=320, blank=True)  # From address, set when processed
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.CharField(max_length=200, blank=True)  # why ignored
    error = models.TextField(blank=True)  # why it failed, for admins
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sha256"], name="one_copy_of_each_email")
        ]
        indexes = [models.Index(fields=["workspace", "sender", "received_at"])]


class MessageEmail(models.Model):
    """The email behind a ticket message (inbound) or sent for it (outbound)."""

    class Direction(models.TextChoices):
        IN = "in", "Received"
        OUT = "out", "Sent"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="email")
    rfc_message_id = models.CharField(max_length=998, db_index=True)  # "<…@…>"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        QUEUED = "queued", "Sending"
        RETRYING = "retrying", "Sending failed, will retry"
        SENT = "sent", "Emailed"
        FAILED = "failed", "Could not be emailed"

    direction = models.CharField(max_length=3, choices=Direction.choices)
    inbound = models.ForeignKey(InboundEmail, null=True, blank=True, on_delete=models.SET_NULL)
    # Outbound delivery: a reply is never "sent" until the mail server accepted it.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)


class Mailbox(models.Model):
    """An IMAP mailbox the task worker fetches from. The password (or OAuth2 token) is
    kept encrypted (`lib.sealed`) and never shown again; the fetch position (UIDVALIDITY
    and the last UID stored) makes a fetch resume exactly where the last one stopped."""

    class Security(models.TextChoices):
        SSL = "ssl", "TLS (usually port 993)"
        STARTTLS = "starttls", "STARTTLS (usually port 143)"
        NONE = "none", "None (only for a server on this machine)"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        OAUTH2 = "oauth2", "OAuth2 access token (XOAUTH2)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mailboxes")
    name = models.CharField(max_length=100)
    # The address customers write to; mail from it is ours (a loop), never a ticket.
    address = models.EmailField()
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=320)
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    secret = models.TextField(blank=True)  # sealed password or token
    # OAuth2 with a refresh token: a new access token is fetched from the provider's
    # token endpoint when the stored one expires (or is refused).
    oauth_token_url = models.CharField(max_length=500, blank=True)
    oauth_client_id = models.CharField(max_length=300, blank=True)
    oauth_client_secret = models.TextField(blank=True)  # sealed
    oauth_refresh_token = models.TextField(blank=True)  # sealed
    token_expires_at = models.DateTimeField(null=True, blank=True)
    folder = models.CharField(max_length=200, default="INBOX")
    enabled = models.BooleanField(default=True)
    poll_seconds = models.PositiveIntegerField(default=60)

    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    fetched_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="mailbox_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class EmailSettings(models.Model):
    """A workspace's email rules: who may write (block and allow lists, a limit per sender
    per hour) and the token of its inbound webhook (only its hash is kept)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="email_settings"
    )
    # One rule per line: a full address, or "@example.com" for a whole domain.
    blocked_senders = models.TextField(blank=True)
    allowed_senders = models.TextField(blank=True)  # wins over the block list and the limit
    sender_limit_per_hour = models.PositiveIntegerField(default=30)  # 0: no limit
    webhook_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    webhook_token_hint = models.CharField(max_length=12, blank=True)  # its first characters
    webhook_token_created_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Email settings of {self.workspace}"


class NotificationTemplate(models.Model):
    """A workspace's wording of one notification, and whether it is sent at all. A kind
    without a row uses the default wording and is on (`notifications.DEFAULTS`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    enabled = models.BooleanField(default=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="one_template_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({'on' if self.enabled else 'off'})"
