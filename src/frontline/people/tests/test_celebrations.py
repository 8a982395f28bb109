"""Customer Service Week falls on the right dates, the team plans its five days, and
the calendar feed carries the observances and the plan."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from frontline.lib import clock
from frontline.people import celebrations
from frontline.testing.personas import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("year", "start", "end"),
    [(2022, 3, 7), (2023, 2, 6), (2024, 7, 11), (2025, 6, 10), (2026, 5, 9)],
)
def test_customer_service_week_is_the_first_full_business_week_of_october(year, start, end):
    assert celebrations.customer_service_week(year) == (date(year, 10, start), date(year, 10, end))


def test_the_team_plans_the_week_and_adds_its_own_observances(workspace, admin, agent):
    page = reverse("celebrations", args=[workspace.slug])
    text = signed_in(agent).get(page).content.decode()
    assert "Customer Service Week" in text and "Kickoff and thanks" in text
    plan_day = reverse("celebrations_action", args=[workspace.slug, "plan-day"])
    change = {"year": "2027", "day": "2", "theme": "Escape room", "activities": "Friday 3 pm"}
    assert signed_in(agent).post(plan_day, change).status_code == 403
    signed_in(admin).post(plan_day, change)
    days = celebrations.plan(workspace, 2027)
    assert days[2][0] == date(2027, 10, 6) and days[2][1].theme == "Escape room"
    assert days[0][1].theme == "Kickoff and thanks"  # the default until changed
    add = reverse("celebrations_action", args=[workspace.slug, "add"])
    r = signed_in(admin).post(add, {"name": "Team anniversary", "start": "2027-03-01"}, follow=True)
    assert "Added to the calendar" in r.content.decode()
    r = signed_in(admin).post(
        add, {"name": "Backwards", "start": "2027-03-05", "end": "2027-03-01"}, follow=True
    )
    assert "must not be before the start" in r.content.decode()
    names = [o.name for o in celebrations.observances(workspace, 2027)]
    assert names == ["Customer Service Day", "Team anniversary", "Customer Service Week"]


def test_the_calendar_feed_has_the_observances_and_the_plan(workspace):
    token = celebrations.feed_token(workspace)
    r = Client().get(reverse("celebrations_feed", args=[token]))
    assert r["Content-Type"].startswith("text/calendar")
    events = [e for e in Calendar.from_ical(r.content).walk("VEVENT")]
    this_year = clock.now().date().year
    week = [e for e in events if str(e["summary"]) == "Customer Service Week"]
    starts = sorted(e.decoded("dtstart") for e in week)
    assert starts == [celebrations.customer_service_week(y)[0] for y in (this_year, this_year + 1)]
    assert any(str(e["summary"]) == "Customer Service Week: Awards day" for e in events)
    assert Client().get(reverse("celebrations_feed", args=[token + "x"])).status_code == 404


def test_each_day_of_the_week_is_announced_the_day_before_once(workspace, agent, agent2, admin):
    from django.core import mail

    assert celebrations.due_reminders(date(2026, 10, 3)) == []  # Saturday: nothing tomorrow
    due = celebrations.due_reminders(date(2026, 10, 4))  # Sunday before Monday 5 October
    assert [(w, y, d) for w, y, d in due if w == workspace] == [(workspace, 2026, 0)]
    assert celebrations.send_reminder(workspace, 2026, 0) == 3  # admin and both agents
    assert mail.outbox[0].subject == "Tomorrow in Customer Service Week: Kickoff and thanks"
    assert celebrations.send_reminder(workspace, 2026, 0) == 0  # once
    assert workspace not in [w for w, _, _ in celebrations.due_reminders(date(2026, 10, 4))]
    friday = celebrations.due_reminders(date(2026, 10, 8))
    assert (workspace, 2026, 4) in friday
    assert celebrations.due_reminders(date(2026, 10, 9)) == []  # nothing on Saturday


def test_the_recap_counts_the_week_and_the_card_is_an_image(workspace, agent, agent2, admin):
    from datetime import UTC, datetime

    from PIL import Image

    from frontline.people import services
    from frontline.people.models import Kudos

    for when in (datetime(2026, 10, 6, 12, tzinfo=UTC), datetime(2026, 10, 20, 12, tzinfo=UTC)):
        k = services.give_kudos(
            workspace, giver=agent, receiver=agent2, value="Teamwork", message="Thanks"
        )
        Kudos.objects.filter(pk=k.pk).update(created_at=when)
    recap = celebrations.recap(workspace, 2026)
    assert (recap.kudos, recap.customer_praise, recap.awards, recap.csat) == (1, 0, 0, None)
    page = signed_in(agent).get(reverse("recap", args=[workspace.slug, 2026])).content.decode()
    assert "#CustomerServiceWeek" in page and 'id="recap-kudos">1<' in page
    card = signed_in(agent).get(reverse("recap_card", args=[workspace.slug, 2026]))
    assert card["Content-Type"] == "image/png"
    import io

    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)
    # The team's own hashtags, cleaned up, replace the default ones.
    settings = reverse("recognition_settings", args=[workspace.slug])
    bad = signed_in(admin).post(settings, {"values": "Empathy", "monthly_allowance": "0",
                                           "hashtags": "#ok <script>"}, follow=True)  # fmt: skip
    assert "hashtags are words" in bad.content.decode()
    signed_in(admin).post(settings, {"values": "Empathy", "monthly_allowance": "0",
                                     "hashtags": "AcmeCares #CSWeek2026 #CSWeek2026"})  # fmt: skip
    page = signed_in(agent).get(reverse("recap", args=[workspace.slug, 2026])).content.decode()
    assert "#AcmeCares #CSWeek2026" in page and "#SupportHeroes" not in page
