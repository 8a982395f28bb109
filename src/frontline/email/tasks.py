"""Email work done by the task worker (queue "email")."""

from django.tasks import task

from frontline.email import imap, inbound, notifications, outbound
from frontline.email.models import Mailbox
from frontline.lib import clock


@task(queue_name="email")
def send_reply(message_email_id: int) -> str:
    return outbound.send(message_email_id).status


@task(queue_name="email")
def send_notification(
    kind: str,
    ticket_id: int,
    message_id: int | None = None,
    user_id: int | None = None,
    attempt: int = 1,
) -> str:
    """One notification email (see `notifications`); retried a few times on failure."""
    return notifications.send(
        kind, ticket_id, message_id=message_id, user_id=user_id, attempt=attempt
    )


@task(queue_name="email")
def process_inbound(inbound_id: int) -> str:
    """Make a stored message (from the webhook) a ticket or a reply; idempotent."""
    return inbound.process(inbound_id).state


@task(queue_name="email")
def fetch_mailbox(mailbox_id: int) -> dict:
    """Fetch one mailbox now. Safe to run twice at once: storing deduplicates."""
    mailbox = Mailbox.objects.select_related("workspace").filter(pk=mailbox_id).first()
    if mailbox is None or not mailbox.enabled:
        return {"skipped": True}
    report = imap.fetch(mailbox)
    return {
        "stored": report.stored,
        "duplicates": report.duplicates,
        "processed": report.processed,
        "error": report.error,
    }


@task(queue_name="email")
def poll_mailboxes() -> int:
    """Queue a fetch of every mailbox that is due (run by `frontline scheduler`)."""
    queued = 0
    for mailbox in Mailbox.objects.filter(enabled=True):
        if imap.due(mailbox):
            # Counted as checked from now, so a slow worker does not get it queued twice.
            Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=clock.now())
            fetch_mailbox.enqueue(mailbox.pk)
            queued += 1
    return queued
