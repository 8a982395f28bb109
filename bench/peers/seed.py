"""Seed Frontline with the peers-harness corpus, for the side-by-side benchmark.

    .venv/bin/python bench/peers/seed.py --n 100000 --data-dir /tmp/fl-bench-data \
        --manifest /tmp/fl-bench-data/manifest.json --token-file /tmp/fl-bench-data/token
    .venv/bin/python bench/peers/seed.py --check 300     # bulk path == services? (temp DB)

The database must be migrated and empty (run.sh does `frontline migrate` first). Creates
workspace "bench" owned by bench@bench.test, the harness's five queues as teams, an API
token for that user (written to --token-file) and N tickets with their follow-ups.

Replaying 100,000 conversations through the services takes far too long, so, like the
peer's ORM bulk_create seeder, this writes the rows the services would write with
bulk_create, in large transactions: customers (+ addresses, customer.created events),
tickets with consecutive numbers (and workspace.last_ticket_number), messages (text
and HTML from the services' own cleaning helpers), the events the services record, and
one search document per ticket. The FTS5 insert trigger is dropped during the load and
the index is rebuilt once at the end ('rebuild'), then the trigger is put back exactly
as migration 0002 defines it.

What the services would do with one corpus record (see replay_with_services):
create_ticket(status="open", channel="email", by the system, requester found or created
by e-mail) at its `created` time; each follow-up at created + minutes_after as a reply
(staff, public), a note (staff, internal) or add_customer_message (customer); then,
for resolved/closed/duplicate, update_ticket(status=solved/closed) at the last
follow-up's time. `--check K` replays the first K records both ways into two workspaces
of a throwaway database and compares every row; run.sh runs it before each benchmark.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

PEERS = Path(os.environ.get("PEERS_DIR", Path(__file__).resolve().parents[3] / "shared/peers"))
sys.path.insert(0, str(PEERS))
DEFAULT_DATA_DIR = "/tmp/fl-bench-data"  # noqa: S108 - a scratch benchmark database


def _choose_data_dir() -> str | None:
    """Settings read FRONTLINE_DATA_DIR at start-up, so pick it before django.setup()."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--data-dir")
    pre.add_argument("--check", nargs="?", const=1)
    a, _ = pre.parse_known_args()
    if a.check is not None:
        tmp = tempfile.mkdtemp(prefix="fl-seed-check-")
        os.environ["FRONTLINE_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        return tmp
    os.environ["FRONTLINE_DATA_DIR"] = a.data_dir or os.environ.get(
        "FRONTLINE_DATA_DIR", DEFAULT_DATA_DIR
    )
    return None


CHECK_DIR = _choose_data_dir()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from harness import corpus  # noqa: E402

from frontline.accounts import services as accounts  # noqa: E402
from frontline.accounts.models import User, Workspace  # noqa: E402
from frontline.lib import clock  # noqa: E402
from frontline.tickets import services  # noqa: E402
from frontline.tickets.events import SYSTEM, Actor  # noqa: E402
from frontline.tickets.models import (  # noqa: E402
    Customer,
    CustomerEmail,
    Event,
    Message,
    SearchDocument,
    Team,
    Ticket,
)
from frontline.tickets.search import find_tickets  # noqa: E402
from frontline.tickets.services.customers import normalize_email  # noqa: E402

# The services' own validation/cleaning, so bulk rows hold exactly what they would store.
from frontline.tickets.services.tickets import _clean_body, _clean_subject  # noqa: E402

STATUS = {
    "open": "open",
    "reopened": "open",
    "resolved": "solved",
    "closed": "closed",
    "duplicate": "closed",
}
PRIORITY = {1: "urgent", 2: "high", 3: "normal", 4: "low", 5: "low"}
CHANNEL = "email"
BATCH = 10_000  # tickets per transaction
ROWS_PER_INSERT = 2_000


def requester_name(email: str) -> str:
    """'james.smith42@example.com' -> 'James Smith' (the corpus has no names)."""
    local = re.sub(r"\d+$", "", email.split("@", 1)[0])
    return " ".join(part.title() for part in local.split(".") if part)


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def setup_workspace(slug: str, owner: User):
    ws = accounts.create_workspace(slug.title(), slug, owner=owner)
    by = Actor.of(owner)
    teams = {s: services.create_team(ws, by=by, name=name, slug=s) for s, name in corpus.QUEUES}
    for team in teams.values():
        services.set_team_members(team, [owner], by=by)
    return ws, teams


# ---- the reference: one record through the services -------------------------------------


def replay_with_services(ws: Workspace, agent: User, teams: dict, r: dict) -> Ticket:
    created = _at(r["created"])
    by_agent = Actor.of(agent)
    with clock.replaying(created):
        ticket = services.create_ticket(
            ws,
            by=SYSTEM,
            subject=r["title"],
            body=r["description"],
            requester_email=r["submitter_email"],
            requester_name=requester_name(r["submitter_email"]),
            channel=CHANNEL,
            status="open",
            priority=PRIORITY[r["priority"]],
            team=teams[r["queue"]],
        )
    at = created
    for f in r["followups"]:
        at = created + timedelta(minutes=f["minutes_after"])
        with clock.replaying(at):
            if f["author"] == "staff" and f["public"]:
                services.reply(ticket, by=by_agent, body=f["text"])
            elif f["author"] == "staff":
                services.add_note(ticket, by=by_agent, body=f["text"])
            else:
                services.add_customer_message(ticket, ticket.requester, body=f["text"])
    final = STATUS[r["status"]]
    if final != ticket.status:
        with clock.replaying(at):
            services.update_ticket(ticket, by=by_agent, changes={"status": final})
    return ticket


# ---- the fast path: the same rows with bulk_create ----------------------------------------


def _event(ws, kind, at, *, ticket=None, user=None, customer_id=None, before=None, after=None):
    actor = "user" if user else "customer" if customer_id else "system"
    return Event(
        workspace_id=ws.pk,
        ticket_id=ticket.pk if ticket else None,
        actor_type=actor,
        actor_user_id=user.pk if user else None,
        actor_customer_id=customer_id,
        kind=kind,
        before=before,
        after=after,
        created_at=at,
    )


class BulkSeeder:
    def __init__(self, ws: Workspace, agent: User, teams: dict):
        self.ws, self.agent, self.teams = ws, agent, teams
        self.customers: dict[str, int] = dict(
            CustomerEmail.objects.filter(workspace=ws).values_list("email", "customer_id")
        )
        self.number = ws.last_ticket_number
        self.tickets = self.followups = self.messages = self.events = 0

    def load(self, records) -> None:
        """Insert all records: batches of BATCH tickets, one transaction each."""
        batch: list[dict] = []
        for r in records:
            batch.append(r)
            if len(batch) == BATCH:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        Workspace.objects.filter(pk=self.ws.pk).update(last_ticket_number=self.number)
        self.ws.last_ticket_number = self.number

    def _batch(self, batch: list[dict]) -> None:
        ws, agent = self.ws, self.agent
        with transaction.atomic():
            # customers first seen in this batch, in order of appearance
            new: dict[str, datetime] = {}
            for r in batch:
                email = normalize_email(r["submitter_email"], "requester_email")
                if email not in self.customers and email not in new:
                    new[email] = _at(r["created"])
            made = Customer.objects.bulk_create(
                [Customer(workspace=ws, name=requester_name(e), email=e) for e in new],
                batch_size=ROWS_PER_INSERT,
            )
            CustomerEmail.objects.bulk_create(
                [CustomerEmail(workspace=ws, customer=c, email=c.email) for c in made],
                batch_size=ROWS_PER_INSERT,
            )
            fresh = {c.email: c.pk for c in made}
            self.customers.update(fresh)

            plans, tickets = [], []
            for r in batch:
                email = normalize_email(r["submitter_email"], "requester_email")
                created = _at(r["created"])
                first_text, first_html = _clean_body(r["description"], None)
                follow = []
                for f in r["followups"]:
                    text, html = _clean_body(f["text"], None)
                    follow.append((f, created + timedelta(minutes=f["minutes_after"]), text, html))
                last = follow[-1][1] if follow else created
                final = STATUS[r["status"]]
                answered = any(f["author"] == "staff" and f["public"] for f, *_ in follow)
                self.number += 1
                tickets.append(
                    Ticket(
                        workspace_id=ws.pk,
                        number=self.number,
                        subject=_clean_subject(r["title"]),
                        status=final,
                        priority=PRIORITY[r["priority"]],
                        channel=CHANNEL,
                        requester_id=self.customers[email],
                        assignee_id=agent.pk if answered else None,
                        team_id=self.teams[r["queue"]].pk,
                        custom_fields={},
                        created_at=created,
                        updated_at=last,
                        # update_ticket sets solved_at for solved; open -> closed leaves it empty
                        solved_at=last if final == "solved" else None,
                    )
                )
                plans.append((email, created, first_text, first_html, follow, last, final))
            Ticket.objects.bulk_create(tickets, batch_size=ROWS_PER_INSERT)

            messages = []
            for t, (_, created, text, html, follow, *_rest) in zip(tickets, plans, strict=True):
                messages.append(
                    Message(
                        workspace_id=ws.pk,
                        ticket_id=t.pk,
                        visibility="public",
                        author_type="customer",
                        author_customer_id=t.requester_id,
                        body_text=text,
                        body_html=html,
                        created_at=created,
                    )
                )
                for f, at, ftext, fhtml in follow:
                    staff = f["author"] == "staff"
                    messages.append(
                        Message(
                            workspace_id=ws.pk,
                            ticket_id=t.pk,
                            visibility="public" if f["public"] else "internal",
                            author_type="agent" if staff else "customer",
                            author_user_id=agent.pk if staff else None,
                            author_customer_id=None if staff else t.requester_id,
                            body_text=ftext,
                            body_html=fhtml,
                            created_at=at,
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=ROWS_PER_INSERT)

            events, docs = [], []
            pos = 0
            for t, (email, created, _, _, follow, last, final) in zip(tickets, plans, strict=True):
                mine = messages[pos : pos + 1 + len(follow)]
                pos += len(mine)
                cid = t.requester_id
                if fresh.pop(email, None) is not None:
                    after = {"customer": cid, "email": email}
                    events.append(_event(ws, "customer.created", created, after=after))
                events.append(
                    _event(
                        ws,
                        "ticket.created",
                        created,
                        ticket=t,
                        after={
                            "number": t.number,
                            "channel": CHANNEL,
                            "status": "open",
                            "priority": t.priority,
                            "team": t.team_id,
                            "assignee": None,
                            "tags": [],
                        },
                    )
                )
                assigned = False
                for m in mine:
                    user = agent if m.author_type == "agent" else None
                    events.append(
                        _event(
                            ws,
                            "message.added",
                            m.created_at,
                            ticket=t,
                            user=user,
                            customer_id=None if user else cid,
                            after={
                                "message": m.pk,
                                "visibility": m.visibility,
                                "author": m.author_type,
                                "attachments": 0,
                            },
                        )
                    )
                    if user and m.visibility == "public" and not assigned:
                        assigned = True
                        events.append(
                            _event(
                                ws,
                                "ticket.assignee",
                                m.created_at,
                                ticket=t,
                                user=agent,
                                before=None,
                                after=agent.pk,
                            )
                        )
                if final != "open":
                    events.append(
                        _event(
                            ws,
                            "ticket.status",
                            last,
                            ticket=t,
                            user=agent,
                            before="open",
                            after=final,
                        )
                    )
                docs.append(
                    SearchDocument(
                        ticket_id=t.pk,
                        workspace_id=ws.pk,
                        subject=t.subject,
                        body="\n".join(m.body_text for m in mine),
                    )
                )
                self.followups += len(follow)
            Event.objects.bulk_create(events, batch_size=ROWS_PER_INSERT)
            SearchDocument.objects.bulk_create(docs, batch_size=ROWS_PER_INSERT)
        self.tickets += len(tickets)
        self.messages += len(messages)
        self.events += len(events)


def bulk_load(seeder: BulkSeeder, records, progress=None) -> dict:
    """Load the rows (their documents wait in the index queue), then build the FTS index
    once from all documents and empty the queue. Seconds per step."""
    t0 = time.perf_counter()
    seeder.load(progress(records) if progress else records)
    t1 = time.perf_counter()
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO tickets_search_fts(tickets_search_fts) VALUES('rebuild')")
            cur.execute("DELETE FROM tickets_search_queue")
    t2 = time.perf_counter()
    return {"rows": t1 - t0, "fts": t2 - t1}


# ---- consistency check: services vs bulk ------------------------------------------------


def snapshot(ws: Workspace) -> dict:
    """Everything the records produced in `ws`, with row ids replaced by natural keys."""
    tickets = Ticket.objects.filter(workspace=ws).select_related("requester", "assignee", "team")
    number_of = {t.pk: t.number for t in tickets}
    msg_key = {}
    out_tickets = {}
    for t in tickets.order_by("number"):
        msgs = list(t.messages.order_by("created_at", "id"))
        for i, m in enumerate(msgs):
            msg_key[m.pk] = (t.number, i)
        out_tickets[t.number] = {
            "subject": t.subject,
            "status": t.status,
            "priority": t.priority,
            "channel": t.channel,
            "requester": t.requester.email,
            "assignee": t.assignee.email if t.assignee else None,
            "team": t.team.slug if t.team else None,
            "tags": list(t.tags.values_list("name", flat=True)),
            "followers": list(t.followers.values_list("email", flat=True)),
            "custom_fields": t.custom_fields,
            "merged_into": t.merged_into_id,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "solved_at": t.solved_at,
            "messages": [
                (
                    m.visibility,
                    m.author_type,
                    m.author_user.email if m.author_user else None,
                    m.author_customer.email if m.author_customer else None,
                    m.body_text,
                    m.body_html,
                    m.created_at,
                )
                for m in msgs
            ],
            "search": SearchDocument.objects.filter(ticket=t).values_list("subject", "body").get(),
        }
    teams = dict(Team.objects.filter(workspace=ws).values_list("pk", "slug"))
    users = dict(User.objects.values_list("pk", "email"))
    cust = dict(Customer.objects.filter(workspace=ws).values_list("pk", "email"))

    def natural(kind, value):
        if not isinstance(value, dict):
            return users.get(value, value) if kind == "ticket.assignee" else value
        v = dict(value)
        if "message" in v:
            v["message"] = msg_key[v["message"]]
        if kind == "ticket.created":
            v["team"] = teams.get(v["team"])
            v["assignee"] = users.get(v["assignee"])
        if "customer" in v:
            v["customer"] = cust[v["customer"]]
        return v

    events = [
        (
            number_of.get(e.ticket_id),
            e.kind,
            e.actor_type,
            users.get(e.actor_user_id),
            cust.get(e.actor_customer_id),
            natural(e.kind, e.before),
            natural(e.kind, e.after),
            e.created_at,
        )
        for e in Event.objects.filter(workspace=ws)
        .filter(kind__regex=r"^(ticket|message|customer)\.")
        .order_by("id")
    ]
    customers = [
        (c.name, c.email, c.phone, c.external_id, c.company_id, c.user_id, sorted(emails))
        for c in Customer.objects.filter(workspace=ws).order_by("email")
        for emails in [list(c.emails.values_list("email", flat=True))]
    ]
    ws.refresh_from_db()
    return {
        "last_ticket_number": ws.last_ticket_number,
        "customers": customers,
        "tickets": out_tickets,
        "events": events,
    }


def _diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}.{k}: only in one" for k in a.keys() ^ b.keys()]
        for k in a.keys() & b.keys():
            out += _diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _diff(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def check(k: int, seed: int) -> int:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    owner = accounts.create_user("bench@bench.test", name="Bench Agent", password="bench-pass-123")
    records = list(corpus.generate(k, seed))
    # returning customers (the corpus rarely repeats an address): every 7th record reuses
    # the address of the record 5 before, so some repeat inside a batch and some across
    for i in range(7, k, 7):
        records[i] = {**records[i], "submitter_email": records[i - 5]["submitter_email"]}
    ws_a, teams_a = setup_workspace("check-services", owner)
    t0 = time.perf_counter()
    for r in records:
        replay_with_services(ws_a, owner, teams_a, r)
    t_services = time.perf_counter() - t0
    ws_b, teams_b = setup_workspace("check-bulk", owner)
    t0 = time.perf_counter()
    global BATCH
    BATCH, full = 64, BATCH  # several batches, so state carried between them is checked too
    try:
        bulk_load(BulkSeeder(ws_b, owner, teams_b), records)
    finally:
        BATCH = full
    t_bulk = time.perf_counter() - t0
    diffs = _diff(snapshot(ws_a), snapshot(ws_b))
    # the index: same hits for words from the corpus, subject and follow-ups included
    words = corpus.pick_query_words(records, 40, seed) + ["internal", "refund", "card", "issued"]
    for w in words:
        pa = find_tickets(owner, ws_a, w, limit=100)
        pb = find_tickets(owner, ws_b, w, limit=100)
        na, nb = sorted(t.number for t in pa.tickets), sorted(t.number for t in pb.tickets)
        if (pa.total, na) != (pb.total, nb):
            diffs.append(
                f"search {w!r}: services {pa.total} {na[:10]} vs bulk {pb.total} {nb[:10]}"
            )
    with connection.cursor() as cur:
        cur.execute("INSERT INTO tickets_search_fts(tickets_search_fts) VALUES('integrity-check')")
    statuses = {
        s: sum(1 for r in records if STATUS[r["status"]] == s) for s in set(STATUS.values())
    }
    print(
        f"check: {k} records ({statuses}, {sum(len(r['followups']) for r in records)} follow-ups) "
        f"replayed through the services in {t_services:.2f} s and bulk-loaded in {t_bulk:.2f} s; "
        f"{len(words)} searches compared; FTS integrity-check passed"
    )
    for d in diffs[:30]:
        print("  DIFF", d)
    print("check:", "IDENTICAL" if not diffs else f"{len(diffs)} DIFFERENCES")
    return 1 if diffs else 0


# ---- main ---------------------------------------------------------------------------------


def db_bytes() -> int:
    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return cur.fetchone()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int)
    ap.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    ap.add_argument("--data-dir", help=f"FRONTLINE_DATA_DIR (default {DEFAULT_DATA_DIR})")
    ap.add_argument("--manifest")
    ap.add_argument("--token-file")
    ap.add_argument("--email", default="bench@bench.test")
    ap.add_argument("--password", default="bench-pass-123")
    ap.add_argument(
        "--check",
        type=int,
        nargs="?",
        const=300,
        metavar="K",
        help="compare K records seeded by the services and by the bulk path (temp DB)",
    )
    a = ap.parse_args()
    if a.check is not None:
        try:
            return check(a.check, a.seed)
        finally:
            connection.close()
            shutil.rmtree(CHECK_DIR, ignore_errors=True)
    if not (a.n and a.manifest and a.token_file):
        ap.error("--n, --manifest and --token-file are required (or --check)")
    if Ticket.objects.exists() or Workspace.objects.filter(slug="bench").exists():
        ap.error("the database already has tickets or a bench workspace; reset it first")

    t_all = time.perf_counter()
    owner = accounts.create_user(a.email, name="Bench Agent", password=a.password)
    ws, teams = setup_workspace("bench", owner)
    _, token = accounts.create_api_token(ws, owner, "bench")
    Path(a.token_file).write_text(token)
    Path(a.token_file).chmod(0o600)

    def progress(records):
        t0 = time.perf_counter()
        for i, r in enumerate(records, 1):
            yield r
            if i % 20_000 == 0:
                print(f"  loaded {i}/{a.n} ({time.perf_counter() - t0:.0f} s)", flush=True)

    seeder = BulkSeeder(ws, owner, teams)
    t0 = time.perf_counter()
    steps = bulk_load(seeder, corpus.generate(a.n, a.seed), progress)
    t_insert = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # as the peer's seeder does
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t_analyze = time.perf_counter() - t1
    manifest = {
        "system": "frontline",
        "n": a.n,
        "seed": a.seed,
        "corpus_version": corpus.CORPUS_VERSION,
        "db_engine": connection.vendor,
        "db_path": str(settings.DATABASES["default"]["NAME"]),
        # corpus generation + row inserts + full-text index rebuild
        "seconds_insert": round(t_insert, 2),
        "seconds_rows": round(steps["rows"], 2),
        "seconds_fts_rebuild": round(steps["fts"], 2),
        "seconds_analyze": round(t_analyze, 2),
        "seconds_total": round(time.perf_counter() - t_all, 2),
        "tickets_per_s": round(seeder.tickets / t_insert, 1),
        "tickets": Ticket.objects.filter(workspace=ws).count(),
        "followups": seeder.followups,
        "messages": Message.objects.filter(workspace=ws).count(),
        "events": Event.objects.filter(workspace=ws).count(),
        "customers": Customer.objects.filter(workspace=ws).count(),
        "db_bytes": db_bytes(),
        "workspace": ws.slug,
        "admin_user": a.email,
    }
    Path(a.manifest).write_text(json.dumps(manifest, indent=1))
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
