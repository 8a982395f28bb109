"""Awards computed from a seeded month of ratings, solved tickets and kudos: figures with
their sample, minimum samples, hidden people left out, the right winner only, and a
certificate whose text says who won what."""

import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from frontline.feedback.models import Rating
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.people import awards, services
from frontline.people.models import Award, HiddenFromLeaderboards, Kudos
from frontline.testing.personas import signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Status

pytestmark = pytest.mark.django_db

START, END = date(2026, 10, 1), date(2026, 10, 31)


def _ticket(workspace, customer, agent, *, replies=1, when=datetime(2026, 10, 10, 12, tzinfo=UTC)):
    with clock.replaying(when):
        t = tickets.create_ticket(
            workspace, by=Actor.of(customer), subject="Q", body="?", requester=customer
        )
        for n in range(replies):
            tickets.reply(t, by=Actor.of(agent), body=f"Answer {n}")
        tickets.update_ticket(t, by=Actor.of(agent), changes={"status": Status.SOLVED})
    return t


def _rate(ticket, agent, score, when):
    Rating.objects.create(
        workspace=ticket.workspace, ticket=ticket, kind="csat", score=score, agent=agent,
        channel="web", created_at=when, updated_at=when,
    )  # fmt: skip


@pytest.fixture
def month(workspace, agent, agent2, customer):
    """Ava: 6 tickets, 5 solved in one reply, CSAT 5,5,5,5,4,2 (83.3 %). Ben: 6 tickets, 3
    in one reply, CSAT 5×6 (100 %); in September Ben had 4,3,3,2,1 (20 %). Only 4 for
    nobody else."""
    october = datetime(2026, 10, 10, 12, tzinfo=UTC)
    for n, score in enumerate([5, 5, 5, 5, 4, 2]):
        t = _ticket(workspace, customer, agent, replies=2 if n == 0 else 1)
        _rate(t, agent, score, october)
    for n in range(6):
        t = _ticket(workspace, customer, agent2, replies=1 if n < 3 else 2)
        _rate(t, agent2, 5, october)
    september = datetime(2026, 9, 10, 12, tzinfo=UTC)
    for score in [4, 3, 3, 2, 1]:
        t = _ticket(workspace, customer, agent2, when=september)
        _rate(t, agent2, score, september)


def test_standings_show_figures_with_their_sample(workspace, agent, agent2, admin, month):
    champion = awards.standings(workspace, "customer_champion", START, END)
    assert [(s.user, s.value, s.sample) for s in champion] == [(agent2, 100.0, 6), (agent, 83.3, 6)]
    assert champion[1].figure == "CSAT 83.3 % from 6 ratings"
    solver = awards.standings(workspace, "problem_solver", START, END)
    assert [(s.user, s.value) for s in solver] == [(agent, 83.3), (agent2, 50.0)]
    rising = awards.standings(workspace, "rising_star", START, END)
    assert [(s.user, s.value) for s in rising] == [(agent2, 80.0)]  # Ava had no September
    services.give_kudos(workspace, giver=agent, receiver=agent2, value="Teamwork", message="!")
    Kudos.objects.update(created_at=datetime(2026, 10, 5, tzinfo=UTC))
    assert [s.figure for s in awards.standings(workspace, "team_player", START, END)] == [
        "1 kudos from colleagues"
    ]
    # Fewer than the minimum: no standing at all.
    Rating.objects.filter(agent=agent).exclude(score=2).delete()
    assert [s.user for s in awards.standings(workspace, "customer_champion", START, END)] == [
        agent2
    ]
    # Hidden from leaderboards.
    HiddenFromLeaderboards.objects.create(workspace=workspace, user=agent2)
    assert awards.standings(workspace, "customer_champion", START, END) == []


def test_only_the_leader_wins_once_and_the_certificate_says_so(
    workspace, agent, agent2, admin, month
):
    with pytest.raises(ServiceError, match="top of the standings"):
        awards.announce(workspace, "customer_champion", START, END, winner=agent, by=admin)
    award = awards.announce(workspace, "customer_champion", START, END, winner=agent2, by=admin)
    with pytest.raises(ServiceError, match="already announced"):
        awards.announce(workspace, "customer_champion", START, END, winner=agent2, by=admin)
    wall = Kudos.objects.get(source="award")
    assert wall.receiver == agent2 and "CSAT 100.0 % from 6 ratings" in wall.message

    pdf = signed_in(agent).get(reverse("award_certificate", args=[workspace.slug, award.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for words in ("Customer Champion", agent2.display_name, "1 October 2026", "31 October 2026",
                  "CSAT 100.0 % from 6 ratings", workspace.name):  # fmt: skip
        assert words in text


def test_agents_cannot_announce_and_strangers_see_nothing(
    workspace, agent, agent2, stranger, month
):
    url = reverse("awards_action", args=[workspace.slug, "announce"])
    data = {"category": "customer_champion", "start": "2026-10-01", "end": "2026-10-31",
            "winner": agent2.pk}  # fmt: skip
    assert signed_in(agent).post(url, data).status_code == 403
    assert not Award.objects.exists()
    assert signed_in(stranger).get(reverse("awards", args=[workspace.slug])).status_code == 404
    page = signed_in(agent).get(reverse("awards", args=[workspace.slug]))
    assert page.status_code == 200 and "Customer Champion" in page.content.decode()


def test_the_team_nominates_and_votes_for_its_own_award(workspace, admin, agent, agent2, viewer):
    url = reverse("awards_action", args=[workspace.slug, "category"])
    signed_in(admin).post(url, {"name": "Calm in the Storm", "description": "Hardest calls"})
    key = next(k for k, v in awards.categories(workspace).items() if v == "Calm in the Storm")
    nominate = reverse("awards_action", args=[workspace.slug, "nominate"])
    period = {"category": key, "start": "2026-10-01", "end": "2026-10-31"}
    r = signed_in(agent).post(nominate, period | {"nominee": agent.pk, "reason": "Me"}, follow=True)
    assert "nominate someone else" in r.content.decode()  # no self-nomination
    signed_in(agent).post(nominate, period | {"nominee": agent2.pk, "reason": "The outage call"})
    signed_in(agent2).post(nominate, period | {"nominee": agent.pk, "reason": "Angry client"})
    ben, ava = (
        awards.nominations(workspace, key, START, END).get(nominee=u) for u in (agent2, agent)
    )
    vote = reverse("awards_action", args=[workspace.slug, "vote"])
    signed_in(admin).post(vote, {"nomination": ava.pk})  # changes their mind:
    signed_in(admin).post(vote, {"nomination": ben.pk})  # one vote each
    own = signed_in(agent).post(vote, {"nomination": ava.pk}, follow=True)
    assert "cannot vote for yourself" in own.content.decode()
    signed_in(agent).post(vote, {"nomination": ben.pk})
    signed_in(agent2).post(vote, {"nomination": ava.pk})
    assert signed_in(viewer).post(vote, {"nomination": ava.pk}).status_code == 403  # not the team
    assert awards.tally(workspace, key, START, END) == [(agent2, 2), (agent, 1)]
    with pytest.raises(ServiceError, match="top of the standings"):
        awards.announce(workspace, key, START, END, winner=agent, by=admin)
    award = awards.announce(workspace, key, START, END, winner=agent2, by=admin)
    assert award.title == "Calm in the Storm" and award.figure == "2 votes from colleagues"
