"""Instant feedback: the survey in the "solved" email, ratings from signed links, comments
with consent, the closed loop for bad ratings, and the figures (CSAT, NPS, CES).

Formulas: CSAT % = ratings of 4 or 5 ÷ ratings; NPS = % promoters (9–10) − % detractors
(0–6); CES = the average of 1–7. A rating is *bad* at CSAT 1–2, NPS 0–6 or CES 1–3.
"""

import html
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from frontline.accounts.models import Workspace
from frontline.feedback.models import FollowUp, Kind, Rating, SurveyOptOut, SurveyRequest
from frontline.feedback.models import SurveySettings as Settings
from frontline.lib import clock
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Customer, Message, Status, Ticket
from frontline.tickets.services.rows import update_logged

SALT = "frontline.rating"
LINK_DAYS = 30  # a survey link works this long after the email
CHANGE_MINUTES = 15  # a second click within this time replaces the rating
RESEND_WINDOW = timedelta(hours=2)  # the "solved" email's retries (notifications.RETRY_AFTER)
SCALES = {Kind.CSAT: range(1, 6), Kind.NPS: range(0, 11), Kind.CES: range(1, 8)}
QUESTIONS = {
    Kind.CSAT: "How satisfied are you with the help you received?",
    Kind.NPS: "How likely are you to recommend us to a friend or colleague?",
    Kind.CES: "The company made it easy for me to handle my issue.",
}
LABELS = {
    Kind.CSAT: {1: "Very unsatisfied", 2: "Unsatisfied", 3: "Neutral", 4: "Satisfied",
                5: "Very satisfied"},
    Kind.CES: {1: "Strongly disagree", 4: "Neutral", 7: "Strongly agree"},
    Kind.NPS: {0: "Not at all likely", 10: "Extremely likely"},
}  # fmt: skip


def settings_for(workspace: Workspace) -> Settings:
    return Settings.objects.get_or_create(workspace=workspace)[0]


def question(current: Settings) -> str:
    return current.question or QUESTIONS[current.kind]


def is_bad(kind: str, score: int) -> bool:
    return score <= {Kind.CSAT: 2, Kind.NPS: 6, Kind.CES: 3}[kind]


def last_agent(ticket: Ticket):
    """The agent who last replied to the customer (None: no agent ever replied)."""
    reply = (
        ticket.messages.filter(
            visibility=Message.Visibility.PUBLIC, author_type=Message.Author.AGENT
        )
        .select_related("author_user")
        .order_by("-created_at", "-id")
        .first()
    )
    return reply.author_user if reply else None


# ---- the survey in the email ---------------------------------------------------------


def sign(ticket: Ticket, score: int) -> str:
    return signing.dumps({"t": ticket.pk, "s": score}, salt=SALT)


def rating_url(ticket: Ticket, score: int) -> str:
    path = reverse("rate", args=[ticket.workspace.slug, sign(ticket, score)])
    return settings.FRONTLINE_BASE_URL + path


def follow_up_block(ticket: Ticket) -> tuple[str, str] | None:
    """Under the lead's "follow_up" email: the rating, who it is about and the comment."""
    import html

    rating = Rating.objects.filter(ticket=ticket).select_related("agent").first()
    if rating is None:
        return None
    scale = SCALES[rating.kind]
    lines = [f"Rating: {rating.score} ({rating.get_kind_display()}, {scale.start} to "
             f"{scale.stop - 1})"]  # fmt: skip
    if rating.agent:
        lines.append(f"Last replied: {rating.agent.display_name}")
    if rating.comment:
        lines.append(f"Their words: {rating.comment}")
    text = "\n".join(lines)
    return text, "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>"


def survey_block(ticket: Ticket) -> tuple[str, str] | None:
    """Under the "solved" email, unless the workspace asks later (see `delayed_survey`)."""
    if settings_for(ticket.workspace).delay_hours:
        return None
    return _survey(ticket)


def on_events(events) -> None:
    """Solved tickets of workspaces that ask later get their survey queued (tickets hook)."""
    from frontline.feedback.tasks import send_survey

    if clock.in_history():
        return  # the demo's tickets were solved long ago
    for e in events:
        if e.kind == "ticket.status" and e.after == Status.SOLVED and e.ticket is not None:
            delay = settings_for(e.ticket.workspace).delay_hours
            if delay:
                run_after = clock.now() + timedelta(hours=delay)
                send_survey.using(run_after=run_after).enqueue(e.ticket.pk)


def delayed_survey(ticket_id: int) -> str:
    """The survey email sent hours after solving, if the request is still solved."""
    from django.core.mail import EmailMultiAlternatives

    from frontline.email.outbound import reply_address

    ticket = Ticket.objects.select_related("workspace", "requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.status not in (Status.SOLVED, Status.CLOSED):
        return "not solved"
    block = _survey(ticket) if ticket.requester.email else None
    if block is None:
        return "nothing to ask"
    hello = f"Hello {ticket.requester.name or 'there'},"
    intro = f'{hello}\n\nWe recently solved your request #{ticket.number}, "{ticket.subject}".'
    mail = EmailMultiAlternatives(
        subject=f"[#{ticket.number}] How did we do?",
        body=intro + "\n" + block[0],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ticket.requester.email],
        reply_to=[reply_address(ticket.number)],
        headers={"Auto-Submitted": "auto-generated", "X-Frontline-Notification": "survey"},
    )
    mail.attach_alternative(f"<p>{html.escape(intro)}</p>{block[1]}", "text/html")
    mail.send()
    return "sent"


def _survey(ticket: Ticket) -> tuple[str, str] | None:
    """The one-click survey (text, HTML), and the survey counted as sent;
    None when there is nothing to ask (surveys off, no agent replied, already sent or
    rated, the customer opted out)."""
    current = settings_for(ticket.workspace)
    agent = last_agent(ticket)
    if not current.enabled or agent is None or ticket.requester_id is None:
        return None
    if SurveyOptOut.objects.filter(customer_id=ticket.requester_id).exists():
        return None
    try:
        with transaction.atomic():
            SurveyRequest.objects.create(
                workspace_id=ticket.workspace_id, ticket=ticket, kind=current.kind, agent=agent
            )
    except IntegrityError:
        # Asked once per ticket; only a retry of the same email (its first try failed)
        # carries the survey again.
        earlier = SurveyRequest.objects.get(ticket=ticket)
        if (
            earlier.sent_at < clock.now() - RESEND_WINDOW
            or Rating.objects.filter(ticket=ticket).exists()
        ):
            return None
    labels = LABELS[current.kind]
    choices = [(s, labels.get(s, ""), rating_url(ticket, s)) for s in SCALES[current.kind]]
    text = (
        "\n"
        + question(current)
        + "\n"
        + "\n".join(f"  {s}{f' ({label})' if label else ''}: {url}" for s, label, url in choices)
    )
    cells = "".join(
        f'<td style="padding:4px"><a href="{html.escape(url)}" title="{html.escape(label)}" '
        f'style="display:inline-block;min-width:2em;padding:8px;border:1px solid #2450c7;'
        f'border-radius:4px;text-align:center;text-decoration:none">{s}</a></td>'
        for s, label, url in choices
    )
    ends = list(labels.values())
    legend = f'<p style="color:#5a6070">{html.escape(ends[0])} … {html.escape(ends[-1])}</p>'
    ask = f"<p><strong>{html.escape(question(current))}</strong></p>"
    markup = f"{ask}<table><tr>{cells}</tr></table>{legend}"
    return text, markup


def portal_prompt(ticket: Ticket) -> dict | None:
    """The rating prompt on a solved request in the help center (the survey counts as
    asked once shown), or None when there is nothing to ask."""
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        return None
    current = settings_for(ticket.workspace)
    rating = Rating.objects.filter(ticket=ticket).first()
    if rating is None:
        agent = last_agent(ticket)
        opted_out = SurveyOptOut.objects.filter(customer_id=ticket.requester_id).exists()
        if not current.enabled or agent is None or opted_out:
            return None
        SurveyRequest.objects.get_or_create(
            ticket=ticket,
            defaults={"workspace_id": ticket.workspace_id, "kind": current.kind, "agent": agent},
        )
    kind = rating.kind if rating else current.kind
    labels = LABELS[kind]
    return {
        "question": question(current),
        "scale": [(s, labels.get(s, "")) for s in SCALES[kind]],
        "rating": rating,
        "can_change": rating is None
        or clock.now() - rating.created_at <= timedelta(minutes=CHANGE_MINUTES),
    }


# ---- recording ratings ---------------------------------------------------------------


@dataclass
class Choice:
    ticket: Ticket
    score: int


def read_link(workspace: Workspace, token: str) -> Choice:
    """The ticket and score a survey link stands for; a tampered, expired or foreign link
    is refused with the reason."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise ServiceError("This survey link has expired", code="expired", status=410) from None
    except signing.BadSignature:
        raise ServiceError("This survey link is not valid", code="bad_link", status=400) from None
    ticket = (
        Ticket.objects.select_related("workspace", "requester", "team")
        .filter(pk=data.get("t"), workspace=workspace)
        .first()
    )
    if ticket is None:
        raise ServiceError("This survey link is not valid", code="bad_link", status=400)
    return Choice(ticket, int(data.get("s", -1)))


def rate(ticket: Ticket, score: int, *, via: str = "email") -> Rating:
    """Record the customer's rating of a ticket (once; a change within 15 minutes replaces
    it). Logged on the ticket; a bad rating opens a follow-up (and reopens the ticket if
    the workspace wants)."""
    current = settings_for(ticket.workspace)
    request = SurveyRequest.objects.filter(ticket=ticket).first()
    kind = request.kind if request else current.kind
    if score not in SCALES[kind]:
        raise invalid("score", f"must be from {SCALES[kind].start} to {SCALES[kind].stop - 1}")
    now = clock.now()
    customer = Actor.of(ticket.requester)
    with transaction.atomic():
        rating = Rating.objects.select_for_update().filter(ticket=ticket).first()
        before = None
        if rating is not None:
            if now - rating.created_at > timedelta(minutes=CHANGE_MINUTES):
                raise ServiceError(
                    "You already rated this request, thank you", code="already_rated", status=409
                )
            before = rating.score
            rating.score, rating.updated_at = score, now
            rating.save(update_fields=["score", "updated_at"])
        else:
            rating = Rating.objects.create(
                workspace_id=ticket.workspace_id,
                ticket=ticket,
                kind=kind,
                score=score,
                agent=request.agent if request else last_agent(ticket),
                team=ticket.team,
                customer=ticket.requester,
                channel=ticket.channel,
                via=via,
                created_at=now,
                updated_at=now,
            )
        record(
            [
                event(
                    ticket.workspace_id,
                    customer,
                    "rating.received",
                    ticket=ticket,
                    before=before,
                    after={"kind": kind, "score": score, "agent": rating.agent_id},
                )  # fmt: skip
            ]
        )
        if is_bad(kind, score):
            lead = ticket.team.lead_id if ticket.team_id else None
            follow_up, opened = FollowUp.objects.get_or_create(
                rating=rating,
                defaults={
                    "workspace_id": ticket.workspace_id,
                    "assignee_id": lead,
                    "created_at": now,
                },
            )
            if opened:  # the lead hears of it (email notification "follow_up")
                record([event(ticket.workspace_id, customer, "rating.follow_up", ticket=ticket,
                              after={"assignee": lead, "follow_up": follow_up.pk})])  # fmt: skip
            if opened and current.reopen_on_bad and ticket.status in (Status.SOLVED,):
                tickets.update_ticket(ticket, by=customer, changes={"status": Status.OPEN})
        else:
            FollowUp.objects.filter(rating=rating, status=FollowUp.Status.OPEN).delete()
    return rating


# Called with the rating after its comment is saved: the people app offers warm words
# as a customer kudos this way.
_comment_listeners: list = []


def register_comment_listener(listener) -> None:
    if listener not in _comment_listeners:
        _comment_listeners.append(listener)


def comment(rating: Rating, text: str, *, consent: bool) -> Rating:
    """The customer's words after the click; consent decides whether they may be shown
    beyond the team (testimonials, customer kudos)."""
    from frontline.assistant.tone import read_tone

    text = (text or "").strip()
    if len(text) > 5000:
        raise invalid("comment", "must be at most 5000 characters")
    rating.comment = text
    rating.comment_sentiment = read_tone(text).sentiment if text else None
    rating.consent_to_share = bool(consent and text)
    rating.updated_at = clock.now()
    rating.save(update_fields=["comment", "comment_sentiment", "consent_to_share", "updated_at"])
    for listener in _comment_listeners:
        listener(rating)
    return rating


def opt_out(customer: Customer) -> None:
    SurveyOptOut.objects.get_or_create(customer=customer, workspace_id=customer.workspace_id)


def close_follow_up(follow_up: FollowUp, *, by: Actor, note: str = "") -> FollowUp:
    follow_up.status, follow_up.note = FollowUp.Status.DONE, (note or "").strip()[:2000]
    follow_up.closed_at, follow_up.closed_by = clock.now(), by.user
    follow_up.save(update_fields=["status", "note", "closed_at", "closed_by"])
    record(
        [
            event(
                follow_up.workspace_id,
                by,
                "rating.follow_up_done",
                ticket=follow_up.rating.ticket,
                after={"note": follow_up.note},
            )  # fmt: skip
        ]
    )
    return follow_up


# ---- figures -------------------------------------------------------------------------


@dataclass
class Figures:
    kind: str
    responses: int
    sent: int
    score: float | None  # CSAT %, NPS (−100…100) or CES average
    answered: int = 0  # surveys sent in the period that were answered

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None


def score_of(kind: str, scores: list[int]) -> float | None:
    if not scores:
        return None
    n = len(scores)
    if kind == Kind.CSAT:
        return round(100 * sum(s >= 4 for s in scores) / n, 1)
    if kind == Kind.NPS:
        return round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / n, 1)
    return round(sum(scores) / n, 2)


def figures(workspace: Workspace, *, kind: str, since, until) -> dict:
    """Overall, per agent, team, channel, intent and week, over [since, until). Each group
    is (name, ratings, score, response rate): the rate is the share of the surveys sent in
    the period (to that group's tickets) that were answered, so it never passes 100 %;
    ratings given without a survey (chat card, help center) count as ratings only."""
    ratings = Rating.objects.filter(
        workspace=workspace, kind=kind, created_at__gte=since, created_at__lt=until
    )
    rows = list(
        ratings.values_list(
            "score", "agent__name", "agent__email", "team__name", "channel",
            "ticket__insight__intent", "created_at",
        )
    )  # fmt: skip
    # The same columns for the surveys sent, with whether each was answered.
    sent_rows = list(
        SurveyRequest.objects.filter(
            workspace=workspace, kind=kind, sent_at__gte=since, sent_at__lt=until
        ).values_list(
            "ticket__rating__id", "agent__name", "agent__email", "ticket__team__name",
            "ticket__channel", "ticket__insight__intent", "sent_at",
        )
    )  # fmt: skip
    tz = ZoneInfo(workspace.time_zone)

    def group(key) -> list[tuple[str, int, float | None, float | None]]:
        scores: dict[str, list[int]] = {}
        asked: dict[str, list[bool]] = {}
        for row in rows:
            scores.setdefault(key(row) or "(none)", []).append(row[0])
        for row in sent_rows:
            asked.setdefault(key(row) or "(none)", []).append(row[0] is not None)
        return sorted(
            (
                (
                    name,
                    len(scores.get(name, [])),
                    score_of(kind, scores.get(name, [])),
                    _rate(asked.get(name, [])),
                )
                for name in scores.keys() | asked.keys()
            ),  # fmt: skip
            key=lambda g: (-g[1], g[0]),
        )

    answered = [row[0] is not None for row in sent_rows]
    return {
        "overall": Figures(
            kind, len(rows), len(sent_rows), score_of(kind, [r[0] for r in rows]), sum(answered)
        ),  # fmt: skip
        "by_agent": group(lambda r: r[1] or r[2]),
        "by_team": group(lambda r: r[3]),
        "by_channel": group(lambda r: r[4]),
        "by_intent": group(lambda r: r[5]),
        "by_week": sorted(group(lambda r: _week_of(r[6], tz)), reverse=True),
    }


def _rate(answered: list[bool]) -> float | None:
    return round(100 * sum(answered) / len(answered), 1) if answered else None


def _week_of(at, tz) -> str:
    """Weeks run Monday to Sunday in the workspace's time zone."""
    local = at.astimezone(tz)
    return f"week of {(local - timedelta(days=local.weekday())).date():%Y-%m-%d}"


EXPORT_COLUMNS = [
    "ticket", "rated_at", "kind", "score", "agent", "team", "channel", "intent", "via",
    "comment", "comment_sentiment", "consent_to_share",
]  # fmt: skip


def export_rows(workspace: Workspace, *, since, until):
    """Ratings as rows for a CSV export (admins), oldest first."""
    ratings = (
        Rating.objects.filter(workspace=workspace, created_at__gte=since, created_at__lt=until)
        .select_related("ticket", "agent", "team")
        .order_by("created_at")
    )
    for r in ratings.iterator():
        intent = getattr(getattr(r.ticket, "insight", None), "intent", "")
        yield [
            r.ticket.number, r.created_at.isoformat(), r.kind, r.score,
            r.agent.email if r.agent else "", r.team.name if r.team else "", r.channel,
            intent, r.via, r.comment,
            "" if r.comment_sentiment is None else f"{r.comment_sentiment:.2f}",
            "yes" if r.consent_to_share else "no",
        ]  # fmt: skip


def update_settings(workspace: Workspace, *, by: Actor, **changes) -> Settings:
    """Which survey, its wording, whether it is sent, and whether a bad rating reopens."""
    unknown = set(changes) - {"enabled", "kind", "question", "reopen_on_bad", "delay_hours"}
    if unknown:
        raise invalid(sorted(unknown)[0], "is not a survey setting")
    if "kind" in changes and changes["kind"] not in Kind.values:
        raise invalid("kind", f"must be one of {', '.join(Kind.values)}")
    if "question" in changes:
        changes["question"] = (changes["question"] or "").strip()
        if len(changes["question"]) > 200:
            raise invalid("question", "must be at most 200 characters")
    if "delay_hours" in changes:
        delay = changes["delay_hours"]
        if not isinstance(delay, int) or not 0 <= delay <= 720:
            raise invalid("delay_hours", "must be a number of hours from 0 to 720")
    current = settings_for(workspace)
    return update_logged(current, by, "survey_settings.updated", changes)


def customer_data(customer, data: dict) -> None:
    """tickets hook (right of access): the ratings they gave."""
    data["ratings"] = [
        {"ticket": r.ticket.number, "kind": r.kind, "score": r.score, "comment": r.comment,
         "may_be_shared": r.consent_to_share, "at": r.created_at}
        for r in Rating.objects.filter(ticket__requester=customer).select_related("ticket")
    ]  # fmt: skip
