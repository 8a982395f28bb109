"""IMAP IDLE: new mail is fetched the moment it arrives instead of at the next poll.

`frontline scheduler` runs a `Watchers` thread that keeps one IDLE connection per
enabled mailbox whose server supports it; on news of a new message it queues
`fetch_mailbox`. Polling still runs beside it, so a dropped connection costs latency,
never mail.
"""

import logging
import threading
import time

from django.db import close_old_connections

from frontline.email.imap import FAILURES, connect, describe
from frontline.email.models import Mailbox

log = logging.getLogger(__name__)
RENEW_SECONDS = 25 * 60  # RFC 2177: servers may drop an IDLE after 30 minutes
CHECK_SECONDS = 5  # how often a watcher looks at its stop flag
RETRY_SECONDS = 60
# A change to any of these (in the settings page) reconnects the watcher at once.
CONNECTION_FIELDS = ("host", "port", "security", "username", "auth", "secret", "folder")


def _connection(mailbox_id: int) -> tuple | None:
    return (
        Mailbox.objects.filter(pk=mailbox_id, enabled=True).values_list(*CONNECTION_FIELDS).first()
    )


def watch(mailbox_id: int, stop: threading.Event, no_idle: set[int] | None = None) -> None:
    """Hold an IDLE connection to one mailbox until `stop` is set. A server without IDLE
    is noted in `no_idle` and left to polling."""
    from frontline.email.tasks import fetch_mailbox

    while not stop.is_set():
        close_old_connections()
        mailbox = Mailbox.objects.filter(pk=mailbox_id, enabled=True).first()
        if mailbox is None:
            return
        settings = tuple(getattr(mailbox, f) for f in CONNECTION_FIELDS)
        try:
            with connect(mailbox) as client:
                if not client.has_capability("IDLE"):
                    log.info("mailbox %s: no IDLE on this server; polling only", mailbox_id)
                    if no_idle is not None:
                        no_idle.add(mailbox_id)
                    return
                client.select_folder(mailbox.folder, readonly=True)
                fetch_mailbox.enqueue(mailbox_id)  # whatever came while we were away
                client.idle()
                renew_at = time.monotonic() + RENEW_SECONDS
                while not stop.is_set() and time.monotonic() < renew_at:
                    news = client.idle_check(timeout=CHECK_SECONDS)
                    if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in news):
                        fetch_mailbox.enqueue(mailbox_id)
                    if _connection(mailbox_id) != settings:
                        break  # changed, paused or removed: reconnect or stop
                client.idle_done()
        except FAILURES as exc:
            log.warning("mailbox %s IDLE: %s", mailbox_id, describe(exc))
            stop.wait(RETRY_SECONDS)


class Watchers(threading.Thread):
    """Starts and stops one `watch` thread per enabled mailbox, rechecked every 15 s."""

    def __init__(self, every: float = 15.0) -> None:
        super().__init__(name="imap-idle", daemon=True)
        self.every = every
        self.stop = threading.Event()
        self.watching: dict[int, tuple[threading.Thread, threading.Event]] = {}
        self.no_idle: set[int] = set()

    def run(self) -> None:
        while not self.stop.is_set():
            close_old_connections()
            try:
                wanted = set(Mailbox.objects.filter(enabled=True).values_list("pk", flat=True))
            except Exception:  # noqa: BLE001 - a database hiccup must not end the watchers
                log.exception("IDLE watchers: could not list mailboxes")
                wanted = set(self.watching)
            for pk in set(self.watching) - wanted:
                self.watching.pop(pk)[1].set()
            for pk in wanted - self.no_idle:
                thread = self.watching.get(pk, (None, None))[0]
                if thread is None or not thread.is_alive():
                    flag = threading.Event()
                    thread = threading.Thread(
                        target=watch,
                        args=(pk, flag, self.no_idle),
                        name=f"imap-idle-{pk}",
                        daemon=True,
                    )
                    thread.start()
                    self.watching[pk] = (thread, flag)
            self.stop.wait(self.every)
        for _, flag in self.watching.values():
            flag.set()
