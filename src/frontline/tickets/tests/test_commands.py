"""The demo workspace, export/import, and `frontline serve` as a real process tree."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from frontline.accounts.models import Workspace
from frontline.tickets import demo
from frontline.tickets.models import Event, Message, Ticket
from frontline.tickets.search import find_tickets


def quiet(*args, **kw):
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO(), **kw)


@pytest.fixture
def demo_ws(db):
    quiet("seed_demo", "--tickets", "40", "--seed", "3")
    return Workspace.objects.get(slug=demo.SLUG)


def test_demo_workspace_looks_alive(demo_ws):
    owner = demo_ws.memberships.get(role="owner").user
    assert owner.email == demo.OWNER_EMAIL and owner.check_password(demo.DEFAULT_PASSWORD)
    assert demo_ws.teams.count() == 5
    assert all(t.members.exists() for t in demo_ws.teams.all())
    # Some customers bank for their business: filed under their company, by its domain.
    companies = demo_ws.companies.all()
    assert companies.count() == 5
    for company in companies:
        people = company.customers.all()
        assert people.count() == 6
        assert all(p.email.endswith("@" + company.domains[0]) for p in people)
    tickets = Ticket.objects.filter(workspace=demo_ws)
    assert tickets.count() == 40
    assert len(set(tickets.values_list("status", flat=True))) >= 3
    # Tagged by topic, as a support team files tickets (the fraud macro adds its own).
    assert set(demo_ws.tags.values_list("name", flat=True)) <= demo.TOPIC_TAGS | {"fraud"}
    # Agents' replies answer what each customer asked: the help center's article on it.
    from frontline.assistant.demo import answers

    replies = Message.objects.filter(workspace=demo_ws, author_type="agent", visibility="public")
    assert replies.exists()
    known = answers()
    for reply in replies.select_related("ticket"):
        assert known[reply.ticket.custom_fields["intent"]] in reply.body_text
    # History is replayed at its original times, not "now".
    assert (
        tickets.order_by("created_at").first().created_at.date()
        < tickets.order_by("-created_at").first().created_at.date()
    )
    first = tickets.order_by("number").first()
    assert first.events.order_by("created_at").first().created_at == first.created_at
    word = first.subject.split()[0]
    assert find_tickets(owner, demo_ws, f'"{word}"').total >= 1


def test_a_demo_ticket_asked_minutes_ago_has_nothing_from_the_future(demo_ws):
    from datetime import timedelta
    from random import Random

    from django.utils import timezone

    from frontline.tickets.models import Customer, Team

    customers = list(Customer.objects.filter(workspace=demo_ws))
    teams = {t.name: t for t in Team.objects.filter(workspace=demo_ws)}
    members = {name: list(team.members.all()) for name, team in teams.items()}
    messages = demo.load_messages()
    before = set(Ticket.objects.filter(workspace=demo_ws).values_list("pk", flat=True))
    for seed in range(10):  # some are left for an agent, the others get answered
        asked = timezone.now() - timedelta(minutes=3)
        demo._ticket(demo_ws, Random(seed), asked, customers, teams, members, messages,
                     sorted(messages), {})  # fmt: skip
    new = Ticket.objects.filter(workspace=demo_ws).exclude(pk__in=before)
    assert new.count() == 10
    now = timezone.now()
    assert not Message.objects.filter(ticket__in=new, created_at__gt=now).exists()
    assert not Event.objects.filter(ticket__in=new, created_at__gt=now).exists()


def test_the_demo_team_has_ratings_and_kudos_to_show(demo_ws):
    from django.urls import reverse
    from django.utils import timezone

    from frontline.feedback.models import Rating
    from frontline.people.models import Kudos
    from frontline.testing.personas import signed_in

    owner = demo_ws.memberships.get(role="owner").user
    ratings = Rating.objects.filter(workspace=demo_ws).select_related("ticket")
    assert ratings.exists()
    # Each customer answered after their request was solved, not at seeding time.
    assert all(r.ticket.solved_at <= r.created_at < timezone.now() for r in ratings)
    peer = Kudos.objects.filter(workspace=demo_ws, source=Kudos.Source.PEER)
    assert peer.count() == 30 and peer.filter(created_at__lt=timezone.now()).count() == 30
    client = signed_in(owner)
    page = reverse("feedback", args=[demo_ws.slug]) + "?days=90"  # the demo spans 90 days
    feedback = client.get(page).content.decode()
    assert "% satisfied" in feedback and "No ratings yet" not in feedback
    wall = client.get(reverse("wall", args=[demo_ws.slug])).content.decode()
    assert peer.filter(public=True).first().message in wall


def test_the_demo_help_center_answers_the_banks_questions(demo_ws):
    from frontline.assistant import virtual_agent
    from frontline.knowledge.models import Article

    published = Article.objects.filter(workspace=demo_ws, status="published")
    assert published.count() >= 75 and published.filter(category=None).count() == 0
    # One article for each kind of question the demo's tickets ask, tied to it.
    assert published.exclude(intent="").values("intent").distinct().count() == 77
    reply = virtual_agent.reply(demo_ws, "How can I activate the card I just received?")
    assert reply.kind == "answer" and reply.citation.intent == "activate_my_card"
    # Routing: a top-up goes to the top-up team, whatever card or transfer pays for it.
    from frontline.assistant.models import RoutingRule

    rules = dict(RoutingRule.objects.filter(workspace=demo_ws).values_list("intent", "team__name"))
    assert rules["activate_my_card"] == "Cards" and rules["transfer_timing"] == "Payments"
    assert rules["top_up_by_card_charge"] == rules["top_up_by_bank_transfer_charge"]
    assert rules["topping_up_by_card"] == "Top-ups & Cash"


def test_the_demo_help_center_has_had_readers(demo_ws):
    from django.urls import reverse

    from frontline.knowledge.models import Article, HelpfulVote
    from frontline.testing.personas import signed_in

    # Views follow what customers ask; votes and searches are spread over the last month.
    published = Article.objects.filter(workspace=demo_ws, status="published")
    assert published.filter(views=0).count() == 0
    assert HelpfulVote.objects.filter(article__workspace=demo_ws).exists()
    owner = demo_ws.memberships.get(role="owner").user
    gaps = signed_in(owner).get(reverse("kb_gaps", args=[demo_ws.slug])).content.decode()
    # The gap report lists what the help center does not cover, not what it answers.
    assert "mortgage" in gaps and "how do i activate my card" not in gaps.lower()
    # Its virtual agent has had a month of questions: answered ones, and handed over what
    # the help center does not cover.
    from frontline.assistant.models import BotTurn

    turns = BotTurn.objects.filter(workspace=demo_ws)
    assert turns.filter(kind="answer").exists()
    assert turns.get(question__startswith="Can I get a mortgage").kind == "handover"
    assert "No questions yet" not in gaps


@pytest.mark.django_db(transaction=True)
def test_the_demo_history_emails_and_notifies_nobody():
    # Its replies and solved tickets are months old: a first run must not send them out
    # (nor fail to, thousands of times, on a laptop without a mail server).
    from django_tasks_db.models import DBTaskResult

    from frontline.email.models import MessageEmail

    quiet("seed_demo", "--tickets", "40", "--seed", "3")
    assert Message.objects.filter(author_type="agent", visibility="public").exists()
    assert not MessageEmail.objects.exists()
    queued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert not [t for t in queued if ".email." in t or ".feedback." in t], list(queued)


def test_seed_demo_if_empty_does_nothing_the_second_time(demo_ws):
    quiet("seed_demo", "--if-empty")
    assert Ticket.objects.count() == 40
    with pytest.raises(CommandError, match="exists already"):
        quiet("seed_demo", "--tickets", "1")


def test_export_then_import_keeps_everything(demo_ws, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontline.accounts.services import set_logo

    logo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
    set_logo(demo_ws, SimpleUploadedFile("logo.png", logo))
    cards = demo_ws.teams.order_by("pk").first()
    cards.lead = cards.members.first()
    cards.save()
    path = tmp_path / "demo.jsonl"
    quiet("export_workspace", "demo", "--output", str(path))
    quiet("import_workspace", str(path), "--slug", "copy")
    copy = Workspace.objects.get(slug="copy")

    def shape(ws):
        tickets = Ticket.objects.filter(workspace=ws).order_by("number")
        return (
            [
                (
                    t.number,
                    t.subject,
                    t.status,
                    t.requester.email,
                    sorted(x.name for x in t.tags.all()),
                )
                for t in tickets
            ],
            sorted(Message.objects.filter(workspace=ws).values_list("body_text", flat=True)),
            Event.objects.filter(workspace=ws).count(),
        )

    assert shape(copy) == shape(demo_ws)
    assert copy.last_ticket_number == demo_ws.last_ticket_number
    # The help center's branding and who leads each team come along.
    assert copy.logo_type == "image/png" and copy.logo.read() == logo
    assert copy.teams.get(slug=cards.slug).lead == cards.lead
    owner = copy.memberships.get(role="owner").user
    assert find_tickets(owner, copy, "").total == 40
    subject_word = Ticket.objects.filter(workspace=copy).first().subject.split()[0]
    assert find_tickets(owner, copy, f'"{subject_word}"').total >= 1


def test_import_with_a_corrupt_line_writes_nothing(demo_ws, tmp_path):
    path = tmp_path / "demo.jsonl"
    quiet("export_workspace", "demo", "--output", str(path))
    lines = path.read_text().splitlines()
    lines[len(lines) // 2] = '{"type": "message", "data": {"ticket": 1'
    path.write_text("\n".join(lines))
    before = (Workspace.objects.count(), Ticket.objects.count())
    with pytest.raises(CommandError, match=f"line {len(lines) // 2 + 1}"):
        quiet("import_workspace", str(path), "--slug", "broken")
    assert (Workspace.objects.count(), Ticket.objects.count()) == before


def test_import_refuses_an_existing_slug(demo_ws, tmp_path):
    path = tmp_path / "demo.jsonl"
    quiet("export_workspace", "demo", "--output", str(path))
    with pytest.raises(CommandError, match="exists"):
        quiet("import_workspace", str(path))
    assert json.loads(path.read_text().splitlines()[0])["type"] == "frontline-export"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_serve_runs_web_and_worker_and_stops_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["FRONTLINE_DATA_DIR"] = str(tmp_path)
    frontline = [sys.executable, "-m", "frontline.cli"]
    subprocess.run([*frontline, "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [*frontline, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json") as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        workers = [
            p
            for p in _children(server.pid)
            if "db_worker" in Path(f"/proc/{p}/cmdline").read_text()
        ]
        assert workers, "no task worker running beside the web server"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(Path(f"/proc/{p}").exists() for p in workers), "worker outlived serve"
    finally:
        if server.poll() is None:
            server.kill()


@pytest.mark.django_db(transaction=True)
def test_frontline_worker_works_every_queue_unless_told_otherwise():
    from frontline.assistant.tasks import adjust_bot_thresholds
    from frontline.cli import django_argv

    queued = adjust_bot_thresholds.enqueue()  # the "ai" queue, like every training
    argv = django_argv(["frontline", "worker", "--batch", "--no-startup-delay"])
    quiet(*argv[1:])
    assert adjust_bot_thresholds.get_result(queued.id).status == "SUCCESSFUL"
    # An explicit choice is kept.
    chosen = django_argv(["frontline", "worker", "--queue-name", "email"])
    assert chosen == ["frontline", "db_worker", "--queue-name", "email"]
