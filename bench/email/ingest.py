"""Email ingest benchmark: throughput of raw store + processing for 10,000 mixed messages,
and end-to-end latency from IMAP arrival to a ticket.

    .venv/bin/python bench/email/ingest.py throughput [--messages 10000]
    .venv/bin/python bench/email/ingest.py latency [--samples 20]

Each run uses a fresh SQLite data directory under /tmp. The message mix (all written by
this script, deterministic) is in MIX: new requests in plain text, replies threaded by
header, by plus-address and by subject token, HTML with scripts and tracking pixels,
attachments, non-UTF-8 charsets, auto-replies, bounces, malformed messages and exact
duplicates. Prints one JSON object with the figures.
"""

import argparse
import base64
import csv
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BANKING = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"
# Kinds per 100 messages.
MIX = {
    "new": 55, "reply_header": 12, "reply_plus": 6, "reply_token": 4, "html": 5,
    "attachment": 4, "charset": 4, "auto_reply": 4, "bounce": 2, "malformed": 2,
    "duplicate": 2,
}  # fmt: skip


def _texts() -> list[str]:
    if BANKING.exists():
        with BANKING.open() as f:
            return [row["text"] for row in csv.DictReader(f)]
    return [f"I have a question about my card number {n}." for n in range(1000)]


def make_messages(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    texts = _texts()
    kinds = [k for k, n in MIX.items() for _ in range(n)]
    made: list[tuple[str, bytes]] = []
    requests: list[tuple[str, str, str]] = []  # (message id, sender, subject)
    creates = 0  # tickets the messages so far should make (numbers for plus/token replies)
    for i in range(count):
        kind = rng.choice(kinds) if requests else "new"
        text = rng.choice(texts)
        sender = f"customer{rng.randrange(3000)}@example.com"
        mid = f"<bench{i}@mail.example.com>"
        head = (
            f"From: Customer <{sender}>\r\nMessage-ID: {mid}\r\n"
            "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
        )
        if kind in ("new", "html", "attachment", "charset"):
            subject = " ".join(text.split()[:6]).rstrip("?.!,") or "Question"
            requests.append((mid, sender, subject))
            creates += 1
        if kind == "new":
            raw = f"{head}To: support@acme.test\r\nSubject: {subject}\r\n\r\n{text}\r\n"
        elif kind == "reply_header":
            parent, who, subj = rng.choice(requests)
            raw = (
                f"From: Customer <{who}>\r\nMessage-ID: {mid}\r\nTo: support@acme.test\r\n"
                f"Subject: Re: {subj}\r\nIn-Reply-To: {parent}\r\nReferences: {parent}\r\n\r\n"
                f"{text}\r\n\r\nOn Mon, Support wrote:\r\n> Thanks for writing.\r\n"
            )
        elif kind == "reply_plus":
            number = rng.randrange(1, creates + 1)
            raw = f"{head}To: support+{number}@acme.test\r\nSubject: Re: your ticket\r\n\r\n{text}"
        elif kind == "reply_token":
            number = rng.randrange(1, creates + 1)
            raw = f"{head}To: support@acme.test\r\nSubject: Re: [#{number}] follow-up\r\n\r\n{text}"
        elif kind == "html":
            raw = (
                f"{head}To: support@acme.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/html; charset=utf-8\r\n\r\n"
                f"<html><body><p>{text}</p><script>alert(1)</script>"
                '<img src="https://tracker.example/p.gif" width="1" height="1"></body></html>\r\n'
            )
        elif kind == "attachment":
            blob = base64.encodebytes(rng.randbytes(48_000)).decode().replace("\n", "\r\n")
            raw = (
                f"{head}To: support@acme.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
                'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b1\r\n"
                'Content-Type: application/pdf; name="statement.pdf"\r\n'
                "Content-Transfer-Encoding: base64\r\n"
                f'Content-Disposition: attachment; filename="statement.pdf"\r\n\r\n{blob}--b1--\r\n'
            )
        elif kind == "charset":
            body = f"Bonjour, {text} Merci, Zoë Lefèvre".encode("iso-8859-1", "replace")
            raw = (
                (
                    f"{head}To: support@acme.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=iso-8859-1\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n"
                ).encode()
                + body
                + b"\r\n"
            )
        elif kind == "auto_reply":
            raw = (
                f"{head}To: support@acme.test\r\nSubject: Out of office\r\n"
                "Auto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n"
            )
        elif kind == "bounce":
            raw = (
                "From: Mail Delivery System <mailer-daemon@mx.example.com>\r\n"
                f"Message-ID: {mid}\r\nTo: support@acme.test\r\n"
                "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/report; report-type=delivery-status; "
                'boundary="r"\r\n\r\n'
                "--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r\r\n"
                "Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--r--\r\n"
            )
        elif kind == "malformed":
            raw = (
                f"{head}To: support@acme.test\r\nSubject: =?utf-8?B?broken?=\r\n"
                "MIME-Version: 1.0\r\n"
                'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
                "Content-Type: text/plain; charset=unknown-8bit\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n@@not base64@@ {text}\r\n"
            )
        else:  # duplicate: an exact copy of an earlier message (a provider's retry)
            made.append(("duplicate", rng.choice(made)[1]))
            continue
        made.append((kind, raw if isinstance(raw, bytes) else raw.encode()))
    return made


def _setup_django(data_dir: Path) -> None:
    os.environ["FRONTLINE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "Acme Support <support@acme.test>")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def throughput(count: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="fl-bench-email-"))
    _setup_django(data)
    from django.db.models import Count

    from frontline.accounts.models import Workspace
    from frontline.email import inbound
    from frontline.email.models import InboundEmail
    from frontline.tickets.models import Message, Ticket

    workspace = Workspace.objects.create(name="Acme", slug="acme")
    messages = make_messages(count)
    size = sum(len(raw) for _, raw in messages)
    started = time.perf_counter()
    stored = [inbound.receive(workspace, raw, source="bench").pk for _, raw in messages]
    stored_s = time.perf_counter() - started
    unique = list(dict.fromkeys(stored))
    started = time.perf_counter()
    for pk in unique:
        inbound.process(pk)
    process_s = time.perf_counter() - started
    states = dict(
        InboundEmail.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {
        "messages": count,
        "bytes": size,
        "stored_rows": len(unique),
        "store_s": round(stored_s, 2),
        "store_per_s": round(count / stored_s, 1),
        "process_s": round(process_s, 2),
        "process_per_s": round(len(unique) / process_s, 1),
        "end_to_end_per_s": round(count / (stored_s + process_s), 1),
        "states": states,
        "tickets": Ticket.objects.count(),
        "messages_on_tickets": Message.objects.count(),
        "mix_per_100": MIX,
    }


def latency(samples: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from frontline.testing.dovecot import running_dovecot

    data = Path(tempfile.mkdtemp(prefix="fl-bench-imap-"))
    env = os.environ | {"FRONTLINE_DATA_DIR": str(data), "EMAIL_URL": "consolemail://"}
    exe = Path(sys.executable).with_name("frontline")
    subprocess.run([exe, "migrate", "-v0"], env=env, check=True)
    with running_dovecot() as server:
        user, password = server.add_user()
        setup = (
            "from frontline.accounts.models import Workspace;"
            "from frontline.email.mailboxes import create_mailbox;"
            "from frontline.tickets.events import Actor;"
            "w = Workspace.objects.create(name='Acme', slug='acme');"
            "create_mailbox(w, by=Actor.of(None), name='Support', address='support@acme.test',"
            f" host='127.0.0.1', port={server.port}, security='none', username='{user}',"
            f" secret='{password}')"
        )
        subprocess.run([exe, "shell", "-c", setup], env=env, check=True, capture_output=True)
        log = open(data / "serve.log", "w")  # noqa: SIM115
        serve = subprocess.Popen(
            [exe, "serve", "--port", "8093"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        db = sqlite3.connect(data / "frontline.sqlite3", timeout=10)

        def arrive(subject: str, timeout: float = 120) -> float:
            raw = (
                f"From: Customer <c@example.com>\r\nTo: support@acme.test\r\nSubject: {subject}"
                f"\r\nMessage-ID: <{subject.replace(' ', '')}@example.com>\r\n\r\nHello\r\n"
            ).encode()
            start = time.perf_counter()
            server.append(user, password, raw)
            while time.perf_counter() - start < timeout:
                found = db.execute(
                    "SELECT 1 FROM tickets_ticket WHERE subject = ?", (subject,)
                ).fetchone()
                if found:
                    return (time.perf_counter() - start) * 1000
                time.sleep(0.005)
            raise TimeoutError(subject)

        try:
            first = arrive("warm up")  # the first fetch, then IDLE is set up
            time.sleep(20)  # the IDLE watcher starts within 15 s of the mailbox
            times = [arrive(f"latency sample {n}") for n in range(samples)]
        finally:
            serve.terminate()
            serve.wait(20)
            log.close()
    times.sort()
    return {
        "samples": samples,
        "first_fetch_ms": round(first),
        "p50_ms": round(statistics.median(times)),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))]),
        "max_ms": round(times[-1]),
        "min_ms": round(times[0]),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["throughput", "latency"])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    result = throughput(args.messages) if args.what == "throughput" else latency(args.samples)
    print(json.dumps(result, indent=2))
