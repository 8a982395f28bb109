"""Mail in a real IMAP mailbox (Dovecot on loopback) becomes tickets: once each, nothing
lost when the worker dies mid-fetch, unread mail only on the first fetch, IDLE news."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from frontline.email import idle, imap, mailboxes
from frontline.email.models import InboundEmail, Mailbox
from frontline.email.tests.test_inbound import read
from frontline.testing.personas import run_tasks
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def numbered(n: int, subject: str = "Question") -> bytes:
    return (
        f"From: Customer {n} <c{n}@example.com>\r\nTo: support@acme.test\r\n"
        f"Subject: {subject} {n}\r\nMessage-ID: <m{n}.{subject.replace(' ', '')}@example.com>\r\n"
        f"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nHello, this is question {n}.\r\n"
    ).encode()


@pytest.fixture
def account(dovecot):
    user, password = dovecot.add_user()
    return dovecot, user, password


@pytest.fixture
def mailbox(workspace, admin, account):
    server, user, password = account
    return mailboxes.create_mailbox(
        workspace,
        by=Actor.of(admin),
        name="Support",
        address="support@acme.test",
        host=server.host,
        port=server.port,
        security="none",
        username=user,
        secret=password,
    )


def deliver(account, raw: bytes, **kw) -> None:
    server, user, password = account
    server.append(user, password, raw, **kw)


def test_new_mail_becomes_a_ticket_and_is_marked_read(mailbox, account):
    deliver(account, read("new_request.eml"))
    report = imap.fetch(mailbox)
    assert (report.stored, report.duplicates, report.error) == (1, 0, "")
    ticket = Ticket.objects.get()
    assert ticket.subject == "Card not arriving" and ticket.channel == "email"
    assert InboundEmail.objects.get().source == "imap"
    server, user, password = account
    assert all("\\Seen" in f for f in server.flags(user, password).values())
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1 and mailbox.last_success_at and not mailbox.last_error

    # The customer's answer to our reply arrives later and joins the ticket.
    deliver(account, read("reply_by_plus_address.eml", TICKET=ticket.number))
    assert imap.fetch(mailbox).stored == 1
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 2


def test_the_first_fetch_takes_unread_mail_not_the_whole_history(mailbox, account):
    deliver(account, numbered(1, "Old"), seen=True)
    deliver(account, numbered(2, "New"))
    imap.fetch(mailbox)
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["New 2"]
    # Later mail is taken whatever its flags (someone may read it in another client).
    deliver(account, numbered(3, "Read elsewhere"), seen=True)
    imap.fetch(mailbox)
    assert Ticket.objects.filter(subject="Read elsewhere 3").exists()


def test_the_same_message_fetched_twice_makes_one_ticket(mailbox, account):
    deliver(account, numbered(1))
    deliver(account, numbered(1))  # a second copy in the mailbox
    assert imap.fetch(mailbox).duplicates == 1
    # The server renumbers the folder (or we lose our position): all fetched again.
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    mailbox.refresh_from_db()
    report = imap.fetch(mailbox)
    assert report.stored == 0 and report.duplicates == 2
    assert Ticket.objects.count() == 1 and InboundEmail.objects.count() == 1


def test_a_fetch_that_dies_after_storing_loses_and_doubles_nothing(mailbox, account, monkeypatch):
    for n in range(1, 6):
        deliver(account, numbered(n))
    real_store, calls = imap.inbound.store, []

    def dies_after_the_third(*args, **kw):  # stored, but the position was not moved yet
        result = real_store(*args, **kw)
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("worker killed")
        return result

    monkeypatch.setattr(imap.inbound, "store", dies_after_the_third)
    with pytest.raises(KeyboardInterrupt):
        imap.fetch(mailbox)
    assert InboundEmail.objects.count() == 3 and Ticket.objects.count() == 0
    monkeypatch.setattr(imap.inbound, "store", real_store)
    mailbox.refresh_from_db()
    report = imap.fetch(mailbox)
    assert (report.stored, report.duplicates, report.processed) == (2, 1, 5)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        f"Question {n}" for n in range(1, 6)
    ]


def test_a_worker_killed_with_sigkill_mid_fetch_loses_and_doubles_nothing(tmp_path, dovecot):
    """The real thing: `frontline fetch-email` in its own process, killed twice (while
    storing, then while making tickets), then run to the end."""
    user, password = dovecot.add_user()
    total = 150
    for n in range(1, total + 1):
        dovecot.append(user, password, numbered(n))
    env = {"FRONTLINE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "SECRET_KEY": "k" * 50}
    exe = Path(sys.executable).with_name("frontline")
    subprocess.run([exe, "migrate", "-v0"], env=env, check=True)
    setup = (
        "from frontline.accounts.models import Workspace;"
        "from frontline.email.mailboxes import create_mailbox;"
        "from frontline.tickets.events import Actor;"
        "w = Workspace.objects.create(name='Acme', slug='acme');"
        f"create_mailbox(w, by=Actor.of(None), name='Support', address='support@acme.test',"
        f" host='127.0.0.1', port={dovecot.port}, security='none', username='{user}',"
        f" secret='{password}')"
    )
    subprocess.run([exe, "shell", "-c", setup], env=env, check=True, capture_output=True)
    db = tmp_path / "frontline.sqlite3"

    def count(sql: str) -> int:
        with sqlite3.connect(db, timeout=10) as c:
            return c.execute(sql).fetchone()[0]

    stored = "SELECT count(*) FROM email_channel_inboundemail"
    processed = "SELECT count(*) FROM email_channel_inboundemail WHERE state='processed'"

    def run_until(sql: str, at_least: int) -> int:
        proc = subprocess.Popen([exe, "fetch-email"], env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while count(sql) < at_least and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return count(sql)

    seen = run_until(stored, 30)
    assert 30 <= seen < total, "killed while storing"
    done = run_until(processed, 20)
    assert 20 <= done < total, "killed while making tickets"
    finished = subprocess.run([exe, "fetch-email"], env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert count(stored) == total
    assert count(processed) == total
    assert count("SELECT count(*) FROM tickets_ticket") == total
    assert count("SELECT count(DISTINCT subject) FROM tickets_ticket") == total


def test_an_unreachable_server_is_recorded_and_backs_off(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(port=1)  # nothing listens there
    mailbox.refresh_from_db()
    report = imap.fetch(mailbox)
    assert "ConnectionRefusedError" in report.error
    mailbox.refresh_from_db()
    assert mailbox.failures == 1 and "ConnectionRefusedError" in mailbox.last_error
    assert not imap.due(mailbox)  # waits 2 × its interval before the next try


def test_a_wrong_password_says_so(mailbox):
    mailboxes.update_mailbox(mailbox, by=Actor.of(None), changes={"secret": "wrong"})
    mailbox.refresh_from_db()
    with pytest.raises(ConnectionError, match="AUTHENTICATIONFAILED|failed"):
        imap.check(mailbox)


def test_the_scheduler_queues_due_mailboxes_and_the_worker_fetches(mailbox, account):
    from frontline.email.tasks import poll_mailboxes

    deliver(account, numbered(7))
    poll_mailboxes.enqueue()
    run_tasks()  # poll queues fetch_mailbox; the batch worker runs it too
    run_tasks()
    assert Ticket.objects.filter(subject="Question 7").exists()


def test_idle_queues_a_fetch_as_soon_as_mail_arrives(mailbox, account, monkeypatch):
    queued = threading.Event()
    monkeypatch.setattr(
        "frontline.email.tasks.fetch_mailbox",
        type("Task", (), {"enqueue": staticmethod(lambda pk: queued.set())}),
    )
    stop = threading.Event()
    watcher = threading.Thread(target=idle.watch, args=(mailbox.pk, stop), daemon=True)
    watcher.start()
    assert queued.wait(10)  # on connect: whatever came while away
    queued.clear()
    time.sleep(0.5)  # IDLE is on
    started = time.monotonic()
    deliver(account, numbered(8))
    assert queued.wait(10), "IDLE did not report the new message"
    assert time.monotonic() - started < 5
    stop.set()
    watcher.join(15)
    assert not watcher.is_alive()
