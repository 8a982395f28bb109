"""Awards from the data, with the figures and the sample behind every standing.

Built-in categories over a period [start, end]:
- Customer Champion: best CSAT (% of ratings 4–5), at least MIN_SAMPLE ratings.
- Problem Solver: highest first-contact resolution (% of the tickets solved in the period
  that the agent answered with a single reply), at least MIN_SAMPLE solved tickets.
- Rising Star: most improved CSAT against the period before, at least MIN_SAMPLE ratings
  in each.
- Team Player: most kudos from colleagues.
People who hid themselves from leaderboards are left out. A lead announces a winner; the
award goes on the team wall and has a printable certificate (PDF).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, models, transaction
from fpdf import FPDF

from frontline.accounts.models import User, Workspace
from frontline.feedback.models import Rating
from frontline.feedback.services import score_of
from frontline.lib.errors import ServiceError, invalid
from frontline.people.models import (
    Award,
    AwardCategory,
    HiddenFromLeaderboards,
    Kudos,
    Nomination,
    Vote,
)
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Message

MIN_SAMPLE = 5
CATEGORIES = {
    "customer_champion": "Customer Champion",
    "problem_solver": "Problem Solver",
    "rising_star": "Rising Star",
    "team_player": "Team Player",
}


@dataclass
class Standing:
    user: User
    value: float
    sample: int
    figure: str  # what the number means, with its sample


def _bounds(workspace: Workspace, start: date, end: date) -> tuple[datetime, datetime]:
    """The period's days in the workspace's own time zone."""
    tz = ZoneInfo(workspace.time_zone)
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _csat_by_agent(workspace: Workspace, start: date, end: date) -> dict[int, list[int]]:
    since, until = _bounds(workspace, start, end)
    scores: dict[int, list[int]] = {}
    for agent, score in Rating.objects.filter(
        workspace=workspace, kind="csat", created_at__gte=since, created_at__lt=until,
        agent__isnull=False,
    ).values_list("agent_id", "score"):  # fmt: skip
        scores.setdefault(agent, []).append(score)
    return scores


def _fcr_by_agent(workspace: Workspace, start: date, end: date) -> dict[int, list[bool]]:
    since, until = _bounds(workspace, start, end)
    replies: dict[int, list[int]] = {}
    for ticket, agent in Message.objects.filter(
        ticket__workspace=workspace, ticket__solved_at__gte=since, ticket__solved_at__lt=until,
        visibility=Message.Visibility.PUBLIC, author_type=Message.Author.AGENT,
        author_user__isnull=False,
    ).values_list("ticket_id", "author_user_id"):  # fmt: skip
        replies.setdefault(ticket, []).append(agent)
    solved: dict[int, list[bool]] = {}
    for agents in replies.values():
        solved.setdefault(agents[-1], []).append(len(agents) == 1)
    return solved


def categories(workspace: Workspace) -> dict[str, str]:
    """Built-in categories, then the workspace's own ("custom-<id>": name)."""
    own = AwardCategory.objects.filter(workspace=workspace)
    return CATEGORIES | {f"custom-{c.pk}": c.name for c in own}


def standings(workspace: Workspace, category: str, start: date, end: date) -> list[Standing]:
    if category not in categories(workspace):
        raise invalid("category", "is not an award of this workspace")
    hidden = set(
        HiddenFromLeaderboards.objects.filter(workspace=workspace).values_list("user", flat=True)
    )
    rows: list[tuple[int, float, int, str]] = []
    if category == "customer_champion":
        for agent, scores in _csat_by_agent(workspace, start, end).items():
            if len(scores) >= MIN_SAMPLE:
                csat = score_of("csat", scores)
                rows.append((agent, csat, len(scores), f"CSAT {csat} % from {len(scores)} ratings"))
    elif category == "problem_solver":
        for agent, firsts in _fcr_by_agent(workspace, start, end).items():
            if len(firsts) >= MIN_SAMPLE:
                fcr = round(100 * sum(firsts) / len(firsts), 1)
                figure = f"{fcr} % solved in one reply, of {len(firsts)} tickets"
                rows.append((agent, fcr, len(firsts), figure))
    elif category == "rising_star":
        length = end - start
        before = _csat_by_agent(
            workspace, start - length - timedelta(days=1), start - timedelta(days=1)
        )
        for agent, scores in _csat_by_agent(workspace, start, end).items():
            earlier = before.get(agent, [])
            if len(scores) >= MIN_SAMPLE and len(earlier) >= MIN_SAMPLE:
                now, then = score_of("csat", scores), score_of("csat", earlier)
                gain = round(now - then, 1)
                figure = f"CSAT {then} % → {now} % ({len(earlier)} and {len(scores)} ratings)"
                rows.append((agent, gain, len(scores), figure))
    elif category.startswith("custom-"):
        for nominee, votes in tally(workspace, category, start, end):
            if votes:
                rows.append((nominee.pk, votes, votes, f"{votes} votes from colleagues"))
    else:
        since, until = _bounds(workspace, start, end)
        counts: dict[int, int] = {}
        for receiver in Kudos.objects.filter(
            workspace=workspace, source=Kudos.Source.PEER, status=Kudos.Status.SHOWN,
            created_at__gte=since, created_at__lt=until,
        ).values_list("receiver_id", flat=True):  # fmt: skip
            counts[receiver] = counts.get(receiver, 0) + 1
        rows = [(a, n, n, f"{n} kudos from colleagues") for a, n in counts.items()]
    users = {u.pk: u for u in User.objects.filter(pk__in=[r[0] for r in rows])}
    found = [
        Standing(users[a], value, n, figure)
        for a, value, n, figure in rows
        if a not in hidden and a in users
    ]
    return sorted(found, key=lambda s: (-s.value, -s.sample, s.user.display_name))


def announce(
    workspace: Workspace, category: str, start: date, end: date, *, winner: User, by: User
) -> Award:
    """Announce the winner: they must lead the standings (a tie counts as leading)."""
    table = standings(workspace, category, start, end)
    if not table:
        raise ServiceError("Nobody qualifies for this award in this period", code="empty")
    mine = next((s for s in table if s.user == winner), None)
    if mine is None or mine.value < table[0].value:
        raise invalid("winner", "must be at the top of the standings")
    try:
        with transaction.atomic():
            award = Award.objects.create(
                workspace=workspace, category=category, title=categories(workspace)[category],
                period_start=start, period_end=end, winner=winner, figure=mine.figure,
                announced_by=by,
            )  # fmt: skip
            Kudos.objects.create(
                workspace=workspace, source=Kudos.Source.AWARD, giver=by, receiver=winner,
                value=categories(workspace)[category][:60],
                message=f"{award.title}, {start:%-d %b} – {end:%-d %b %Y}: {mine.figure}.",
            )  # fmt: skip
            record(
                [
                    event(
                        workspace.pk,
                        Actor.of(by),
                        "award.announced",
                        after={"award": award.pk, "category": category, "winner": winner.pk},
                    )  # fmt: skip
                ]
            )
    except IntegrityError:
        raise ServiceError(
            "This award was already announced for this period", code="duplicate", status=409
        ) from None
    return award


# ---- the team's own awards: nominations and votes ---------------------------------------


def create_category(workspace: Workspace, *, by: User, name: str, description: str = ""):
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise invalid("name", "is required (at most 80 characters)")
    try:
        return AwardCategory.objects.create(
            workspace=workspace, name=name, description=(description or "").strip()[:300]
        )
    except IntegrityError:
        raise ServiceError(
            "There is already an award with this name", code="duplicate", status=409
        ) from None


def _agent(workspace: Workspace, user: User) -> bool:
    from frontline.accounts.access import agent_memberships

    return agent_memberships(workspace).filter(user=user).exists()


def nominate(
    workspace: Workspace, category: str, start: date, end: date, *, nominee: User, by: User,
    reason: str,
) -> Nomination:  # fmt: skip
    if category not in categories(workspace):
        raise invalid("category", "is not an award of this workspace")
    if not _agent(workspace, by):
        raise ServiceError("Only the team nominates", code="forbidden", status=403)
    if nominee == by:
        raise invalid("nominee", "nominate someone else")
    if not _agent(workspace, nominee):
        raise invalid("nominee", "is not on the team")
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise invalid("reason", "say why (at most 1000 characters)")
    try:
        return Nomination.objects.create(
            workspace=workspace, category=category, period_start=start, period_end=end,
            nominee=nominee, nominated_by=by, reason=reason,
        )  # fmt: skip
    except IntegrityError:
        raise ServiceError(
            "Already nominated for this award", code="duplicate", status=409
        ) from None


def vote(nomination: Nomination, *, voter: User) -> Vote:
    """One vote per person per award and period; voting again moves the vote."""
    if not _agent(nomination.workspace, voter):
        raise ServiceError("Only the team votes", code="forbidden", status=403)
    if nomination.nominee_id == voter.pk:
        raise ServiceError("You cannot vote for yourself", code="self_vote", status=400)
    with transaction.atomic():
        Vote.objects.filter(
            workspace=nomination.workspace, category=nomination.category,
            period_start=nomination.period_start, voter=voter,
        ).delete()  # fmt: skip
        return Vote.objects.create(
            nomination=nomination, voter=voter, workspace=nomination.workspace,
            category=nomination.category, period_start=nomination.period_start,
        )  # fmt: skip


def nominations(workspace: Workspace, category: str, start: date, end: date):
    return (
        Nomination.objects.filter(
            workspace=workspace, category=category, period_start=start, period_end=end
        )
        .select_related("nominee", "nominated_by")
        .annotate(vote_count=models.Count("votes"))
        .order_by("-vote_count", "created_at")
    )


def tally(workspace: Workspace, category: str, start: date, end: date) -> list[tuple[User, int]]:
    hidden = set(
        HiddenFromLeaderboards.objects.filter(workspace=workspace).values_list("user", flat=True)
    )
    return [
        (n.nominee, n.vote_count)
        for n in nominations(workspace, category, start, end)
        if n.nominee_id not in hidden
    ]


def _latin1(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1; other characters are replaced, never lost
    # from the data (the certificate is a printout).
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate(award: Award) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(36, 80, 199)
    pdf.set_line_width(2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 34)
    pdf.set_y(40)
    pdf.cell(0, 16, _latin1(award.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 16)
    pdf.cell(0, 12, "is awarded to", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 28)
    pdf.cell(0, 18, _latin1(award.winner.display_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    period = f"{award.period_start:%-d %B %Y} - {award.period_end:%-d %B %Y}"
    pdf.cell(
        0,
        10,
        _latin1(f"{award.workspace.name}, {period}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 10, _latin1(award.figure), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(160)
    pdf.set_font("Helvetica", "I", 12)
    signed = award.announced_by.display_name if award.announced_by else award.workspace.name
    pdf.cell(0, 8, _latin1(f"With thanks from {signed}"), align="C")
    return bytes(pdf.output())
