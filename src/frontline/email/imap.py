"""Fetching mail from IMAP mailboxes, so that nothing is lost and nothing is doubled.

Order of work for each message: store the raw bytes (`inbound.receive`, deduplicated),
then move the mailbox's position (`last_uid`) past it, then flag it \\Seen on the server.
A worker killed between any two steps fetches at most that one message again on the next
run, and storing it again finds the earlier copy. Turning stored mail into tickets is a
separate, idempotent step (`process_pending`) that also picks up anything a crash left
stored but unprocessed.

The first fetch of a mailbox (and after the server renumbered its UIDs) takes the unread
mail only, not the mailbox's whole history.
"""

import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from frontline.email import inbound, oauth
from frontline.email.models import InboundEmail, Mailbox
from frontline.lib import clock
from frontline.lib.sealed import SealedError, unseal

log = logging.getLogger(__name__)
TIMEOUT = 30  # seconds for connecting and each command
BATCH = 25  # messages per FETCH command
MAX_BACKOFF = 30  # a failing mailbox is tried at most every 30 poll intervals
# What a broken server, network or configuration raises; recorded on the mailbox.
FAILURES = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, SealedError, oauth.TokenError)


@dataclass
class FetchReport:
    stored: int = 0  # new messages stored
    duplicates: int = 0  # fetched again, already stored (a crash or a copy)
    processed: int = 0
    error: str = ""
    tickets: list[int] = field(default_factory=list)


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[IMAPClient]:
    """A signed-in connection (TLS verified against the system's CAs)."""
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=mailbox.security == Mailbox.Security.SSL,
        ssl_context=context,
        timeout=TIMEOUT,
    )
    try:
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(context)
        if mailbox.auth == Mailbox.Auth.OAUTH2:
            try:
                client.oauth2_login(mailbox.username, oauth.access_token(mailbox))
            except LoginError:
                if not oauth.can_refresh(mailbox):
                    raise
                # Revoked or expired early: one new token, one more try.
                client.oauth2_login(mailbox.username, oauth.refresh(mailbox))
        else:
            client.login(mailbox.username, unseal(mailbox.secret))
        yield client
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            client.shutdown()


def check(mailbox: Mailbox) -> str:
    """Connect, sign in and open the folder; a sentence for the admin either way."""
    try:
        with connect(mailbox) as client:
            info = client.select_folder(mailbox.folder, readonly=True)
            idle = (
                " (supports IDLE: new mail arrives at once)"
                if client.has_capability("IDLE")
                else ""
            )
        count = int(info.get(b"EXISTS", 0))
        return f"Connected: {count} message{'s' if count != 1 else ''} in {mailbox.folder}{idle}."
    except FAILURES as exc:
        raise ConnectionError(describe(exc)) from exc


def describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, bytes):  # pragma: no cover - imaplib hands back bytes at times
        text = exc.decode(errors="replace")
    return f"{type(exc).__name__}: {text}"[:500]


def fetch(mailbox: Mailbox) -> FetchReport:
    """Store every new message of the mailbox, then process what is stored."""
    report = FetchReport()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=clock.now())
    try:
        with connect(mailbox) as client:
            _fetch_new(client, mailbox, report)
    except FAILURES as exc:
        report.error = describe(exc)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=report.error, failures=F("failures") + 1
        )
        log.warning("mailbox %s: %s", mailbox.pk, report.error)
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error="", failures=0, last_success_at=clock.now()
        )
    for done in process_pending(mailbox.workspace_id):
        report.processed += 1
        if done.ticket_id:
            report.tickets.append(done.ticket_id)
    return report


def _fetch_new(client: IMAPClient, mailbox: Mailbox, report: FetchReport) -> None:
    info = client.select_folder(mailbox.folder)
    validity = int(info[b"UIDVALIDITY"])
    if mailbox.uidvalidity != validity:
        # First fetch, or the server renumbered the folder: take the unread mail.
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
        mailbox.uidvalidity, mailbox.last_uid = validity, 0
        uids = sorted(client.search(["UNSEEN"]))
    else:
        # "n:*" always includes the newest message, even when its UID is below n.
        uids = sorted(u for u in client.search(["UID", f"{mailbox.last_uid + 1}:*"])
                      if u > mailbox.last_uid)  # fmt: skip
    workspace = mailbox.workspace
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        bodies = client.fetch(batch, ["BODY.PEEK[]"])
        for uid in batch:
            raw = bodies.get(uid, {}).get(b"BODY[]")
            if raw is None:  # deleted by someone else between SEARCH and FETCH
                continue
            _, new = inbound.store(workspace, raw, source="imap")
            if new:
                report.stored += 1
            else:
                report.duplicates += 1
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_uid=uid, fetched_total=F("fetched_total") + 1
            )
            mailbox.last_uid = uid
        client.add_flags(batch, [b"\\Seen"], silent=True)


def process_pending(workspace_id: int, limit: int = 1000) -> Iterator[InboundEmail]:
    """Turn stored, unprocessed mail into tickets and replies, oldest first."""
    pending = list(
        InboundEmail.objects.filter(workspace_id=workspace_id, state=InboundEmail.State.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        yield inbound.process(pk)


def due(mailbox: Mailbox) -> bool:
    """Whether the scheduler should fetch now; failing mailboxes back off."""
    if not mailbox.enabled:
        return False
    if mailbox.last_checked_at is None:
        return True
    wait = mailbox.poll_seconds * min(2**mailbox.failures, MAX_BACKOFF)
    return clock.now() >= mailbox.last_checked_at + timedelta(seconds=wait - 1)
