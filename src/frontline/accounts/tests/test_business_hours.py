"""Business hours: validation with the day at fault, open/closed in the workspace's zone,
and the summary customers read."""

from datetime import UTC, datetime

import pytest

from frontline.accounts import business_hours
from frontline.lib.errors import ServiceError

WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_hours_are_checked_and_normalised():
    hours = business_hours.clean({"mon": [["13:00", "17:00"], ["9:00", "12:00"]], "sun": []})
    assert hours == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}
    for bad, reason in [
        ({"funday": []}, "not one of"),
        ({"mon": [["17:00", "09:00"]]}, "start before it ends"),
        ({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ({"mon": [["nine", "17:00"]]}, "not a time"),
        ([["09:00", "17:00"]], "must map days"),
    ]:
        with pytest.raises(ServiceError) as caught:
            business_hours.clean(bad)
        assert reason in str(caught.value)


def test_open_and_closed_follow_the_workspace_time_zone():
    # Monday 2026-11-23 08:30 UTC is 09:30 in Paris (open) and 03:30 in New York (closed).
    at = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert business_hours.is_open(WEEKDAYS, "Europe/Paris", at)
    assert not business_hours.is_open(WEEKDAYS, "America/New_York", at)
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert not business_hours.is_open(WEEKDAYS, "UTC", saturday)
    assert business_hours.is_open({}, "UTC", saturday)  # no hours set: always open


def test_the_summary_runs_days_with_the_same_hours_together():
    hours = {**WEEKDAYS, "sat": [["10:00", "14:00"]]}
    assert business_hours.summary(hours) == ["Mon–Fri 09:00–17:00", "Sat 10:00–14:00"]
    assert business_hours.summary({"mon": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]]}) == [
        "Mon 09:00–17:00",
        "Wed 09:00–17:00",
    ]


def test_hours_typed_in_the_settings_form_round_trip():
    texts = {"mon": "9:00-12:00, 13:00 – 17:00", "tue": "", "sat": "10:00-14:00"}
    hours = business_hours.from_text(texts)
    assert hours == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "sat": [["10:00", "14:00"]]}
    assert business_hours.as_text(hours)["mon"] == "09:00-12:00, 13:00-17:00"
    with pytest.raises(ServiceError, match="not a range"):
        business_hours.from_text({"mon": "all day"})
