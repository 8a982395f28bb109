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
        FAILED = "failed", "Could not be processed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # The Message-ID header ("<…@…>"); `message` is the ticket message it became.
    rfc_message_id = models.CharField(max_length=998, blank=True, db_index=True)
    source = models.CharField(max_length=20, default="pipe")  # pipe, imap, webhook
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
