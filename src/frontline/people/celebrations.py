"""Service observances and the Customer Service Week planner.

Customer Service Week is the first full business week of October: Monday to Friday,
starting on the first Monday in October. Customer Service Day is January 17. Workspaces
add their own observances; the calendar is also an iCalendar feed (.ics) at a secret
address, for the team's calendar programs.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.db import transaction
from icalendar import Calendar, Event

from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.lib.errors import ServiceError, invalid
from frontline.people.models import Celebration, PlanDay, RecognitionSettings

DEFAULT_PLAN = [
    ("Kickoff and thanks", "Open the week together; leads thank every person by name."),
    ("Peer appreciation", "Everyone gives at least one kudos on the team wall."),
    ("Training and skills", "Short sessions where colleagues teach what they do best."),
    ("Team building", "A shared lunch or game, online for remote colleagues."),
    ("Awards day", "Announce the awards and hand out the certificates."),
]
FEED_SALT = "frontline.celebrations-feed"


@dataclass(frozen=True)
class Observance:
    name: str
    start: date
    end: date
    description: str = ""
    builtin: bool = True


def customer_service_week(year: int) -> tuple[date, date]:
    october = date(year, 10, 1)
    monday = october + timedelta(days=(7 - october.weekday()) % 7)
    return monday, monday + timedelta(days=4)


def observances(workspace: Workspace, year: int) -> list[Observance]:
    start, end = customer_service_week(year)
    found = [
        Observance("Customer Service Day", date(year, 1, 17), date(year, 1, 17)),
        Observance("Customer Service Week", start, end, "Five days to celebrate the team."),
    ]
    found += [
        Observance(c.name, c.start, c.end, c.description, builtin=False)
        for c in Celebration.objects.filter(workspace=workspace, start__year=year)
    ]
    return sorted(found, key=lambda o: o.start)


def upcoming(workspace: Workspace, today: date | None = None) -> list[Observance]:
    today = today or clock.now().date()
    found = observances(workspace, today.year) + observances(workspace, today.year + 1)
    return [o for o in found if o.end >= today][:6]


def add_celebration(workspace: Workspace, *, name: str, start: date, end: date, description=""):
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise invalid("name", "is required (at most 120 characters)")
    if end < start:
        raise invalid("end", "must not be before the start")
    if (end - start).days > 31:
        raise invalid("end", "an observance lasts at most a month")
    return Celebration.objects.create(
        workspace=workspace, name=name, start=start, end=end, description=description.strip()
    )


def plan(workspace: Workspace, year: int) -> list[tuple[date, PlanDay]]:
    """The five days of the year's Customer Service Week, with the default plan until
    the team changes it."""
    saved = {p.day: p for p in PlanDay.objects.filter(workspace=workspace, year=year)}
    monday, _ = customer_service_week(year)
    return [
        (
            monday + timedelta(days=day),
            saved.get(day)
            or PlanDay(workspace=workspace, year=year, day=day, theme=theme, activities=what),
        )
        for day, (theme, what) in enumerate(DEFAULT_PLAN)
    ]


def save_plan_day(workspace: Workspace, year: int, day: int, *, theme: str, activities: str):
    if day not in range(5):
        raise invalid("day", "must be 0 (Monday) to 4 (Friday)")
    theme = (theme or "").strip()
    if not theme or len(theme) > 120:
        raise invalid("theme", "is required (at most 120 characters)")
    if len(activities or "") > 4000:
        raise invalid("activities", "must be at most 4000 characters")
    with transaction.atomic():
        found, _ = PlanDay.objects.update_or_create(
            workspace=workspace, year=year, day=day,
            defaults={"theme": theme, "activities": (activities or "").strip()},
        )  # fmt: skip
    return found


# ---- the calendar feed ---------------------------------------------------------------


def feed_token(workspace: Workspace) -> str:
    return signing.dumps(workspace.pk, salt=FEED_SALT)


def workspace_for_feed(token: str) -> Workspace:
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise ServiceError("Unknown calendar", code="bad_feed", status=404) from None
    found = Workspace.objects.filter(pk=pk).first()
    if found is None:
        raise ServiceError("Unknown calendar", code="bad_feed", status=404)
    return found


def ics(workspace: Workspace, today: date | None = None) -> bytes:
    """This year's and next year's observances and the Customer Service Week plan."""
    today = today or clock.now().date()
    cal = Calendar()
    cal.add("prodid", "-//Frontline//Celebrations//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{workspace.name}: service celebrations")
    stamp = datetime.now().astimezone()
    for year in (today.year, today.year + 1):
        for o in observances(workspace, year):
            e = Event()
            e.add("uid", f"{o.name.lower().replace(' ', '-')}-{o.start}@{workspace.slug}.frontline")
            e.add("summary", o.name)
            e.add("dtstart", o.start)
            e.add("dtend", o.end + timedelta(days=1))  # all-day: the end is exclusive
            e.add("dtstamp", stamp)
            if o.description:
                e.add("description", o.description)
            cal.add_component(e)
        for when, day in plan(workspace, year):
            e = Event()
            e.add("uid", f"csw-{year}-{day.day}@{workspace.slug}.frontline")
            e.add("summary", f"Customer Service Week: {day.theme}")
            e.add("dtstart", when)
            e.add("dtend", when + timedelta(days=1))
            e.add("dtstamp", stamp)
            if day.activities:
                e.add("description", day.activities)
            cal.add_component(e)
    return cal.to_ical()


# ---- reminders and the recap ---------------------------------------------------------


def due_reminders(today: date) -> list[tuple[Workspace, int, int]]:
    """(workspace, year, day) whose reminder goes out today: the day before each day of
    the week (Monday's goes out on the Sunday before), once per workspace."""
    from frontline.people.models import ReminderSent

    monday, _ = customer_service_week(today.year)
    tomorrow = today + timedelta(days=1)
    if not 0 <= (tomorrow - monday).days <= 4:
        return []
    day = (tomorrow - monday).days
    done = set(
        ReminderSent.objects.filter(year=today.year, day=day).values_list("workspace", flat=True)
    )
    return [(w, today.year, day) for w in Workspace.objects.exclude(pk__in=done)]


def send_reminder(workspace: Workspace, year: int, day: int) -> int:
    """Email the day's theme and activities to the workspace's agents; returns how many.
    Recorded first, so a second run sends nothing."""
    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    from frontline.accounts.access import agent_memberships
    from frontline.people.models import ReminderSent

    _, created = ReminderSent.objects.get_or_create(workspace=workspace, year=year, day=day)
    if not created:
        return 0
    when, plan_day = plan(workspace, year)[day]
    link = settings.FRONTLINE_BASE_URL + reverse("celebrations", args=[workspace.slug])
    subject = f"Tomorrow in Customer Service Week: {plan_day.theme}"
    body = (
        f"{when:%A %-d %B}: {plan_day.theme}\n\n{plan_day.activities}\n\nThe whole plan: {link}\n"
    )
    emails = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [m.user.email])
        for m in agent_memberships(workspace)
        if m.user.email and m.user.is_active
    ]
    return send_mass_mail(emails) if emails else 0


@dataclass(frozen=True)
class Recap:
    year: int
    start: date
    end: date
    kudos: int
    customer_praise: int
    awards: int
    csat: float | None
    ratings: int
    hashtags: str = "#CustomerServiceWeek #SupportHeroes"


def recap(workspace: Workspace, year: int) -> Recap:
    """The week in numbers, without anyone's personal data (shareable)."""
    from frontline.feedback.models import Rating
    from frontline.feedback.services import score_of
    from frontline.people.models import Award, Kudos

    start, end = customer_service_week(year)
    tz = ZoneInfo(workspace.time_zone)
    since = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    week = {"workspace": workspace, "created_at__gte": since, "created_at__lt": until}
    shown = Kudos.objects.filter(status=Kudos.Status.SHOWN, **week)
    scores = list(Rating.objects.filter(kind="csat", **week).values_list("score", flat=True))
    return Recap(
        year=year,
        start=start,
        end=end,
        kudos=shown.filter(source=Kudos.Source.PEER).count(),
        customer_praise=shown.filter(source=Kudos.Source.CUSTOMER).count(),
        awards=Award.objects.filter(
            workspace=workspace, announced_at__gte=since, announced_at__lt=until
        ).count(),
        csat=score_of("csat", scores),
        ratings=len(scores),
        hashtags=RecognitionSettings.objects.filter(workspace=workspace)
        .values_list("hashtags", flat=True)
        .first()
        or Recap.hashtags,
    )


def recap_card(workspace: Workspace, data: Recap) -> bytes:
    """A 1200×630 PNG to share: the team's name, the week's numbers and the hashtags."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1200, 630), (36, 80, 199))
    draw = ImageDraw.Draw(image)
    big, mid, small = (ImageFont.load_default(size) for size in (64, 40, 30))
    draw.text((60, 50), f"Customer Service Week {data.year}", font=big, fill="white")
    draw.text((60, 135), workspace.name, font=mid, fill=(220, 230, 255))
    figures = [
        (str(data.kudos), "kudos between colleagues"),
        (str(data.customer_praise), "thanks from customers"),
        (str(data.awards), "awards"),
        ("–" if data.csat is None else f"{data.csat:g} %", f"CSAT ({data.ratings} ratings)"),
    ]
    for n, (number, label) in enumerate(figures):
        x = 60 + n * 280
        draw.text((x, 250), number, font=big, fill="white")
        draw.text((x, 335), label, font=small, fill=(220, 230, 255))
    draw.text((60, 520), data.hashtags, font=mid, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
