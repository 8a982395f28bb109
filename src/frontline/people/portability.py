"""Recognition in a workspace export: its settings, kudos with their reactions, the
workspace's celebrations and Customer Service Week plans, awards, nominations and
votes, success stories and testimonials. After the feedback section: customer kudos
and testimonials come from ratings."""

from frontline.people.models import (
    Award,
    AwardCategory,
    Celebration,
    HiddenFromLeaderboards,
    Kudos,
    Nomination,
    PlanDay,
    Reaction,
    RecognitionSettings,
    ReminderSent,
    SuccessStory,
    Testimonial,
    Vote,
)
from frontline.tickets.portability import Importer, Rows, rows_section

CUSTOM = "custom-"  # a nomination's category for the workspace's own award: custom-<id>


def _custom_category(imp: Importer, d: dict) -> dict:
    """A workspace award's category names its AwardCategory by id, which changes."""
    category = d.get("category") or ""
    if not category.startswith(CUSTOM):
        return d
    new = imp.resolve("award_category", int(category.removeprefix(CUSTOM)))
    return {**d, "category": f"{CUSTOM}{new}"}


ROWS = [
    Rows(
        "recognition_settings",
        RecognitionSettings,
        ("values", "auto_approve_customer_praise", "monthly_allowance", "hashtags"),
        one_per_workspace=True,
    ),
    Rows(
        "kudos",
        Kudos,
        ("source", "status", "value", "message", "public", "created_at"),
        refs={
            "giver": "user",
            "receiver": "user",
            "ticket": "ticket",
            "rating": "rating",
            "decided_by": "user",
        },
        keep_ids=True,
    ),  # fmt: skip
    Rows(
        "kudos_reaction",
        Reaction,
        ("emoji",),
        refs={"kudos": "kudos", "user": "user"},
        scope="kudos__workspace",
    ),
    Rows("celebration", Celebration, ("name", "start", "end", "description")),
    Rows("plan_day", PlanDay, ("year", "day", "theme", "activities")),
    Rows("reminder_sent", ReminderSent, ("year", "day", "sent_at")),
    Rows(
        "award",
        Award,
        ("category", "title", "period_start", "period_end", "figure", "announced_at"),
        refs={"winner": "user", "announced_by": "user"},
    ),
    Rows("hidden_from_leaderboards", HiddenFromLeaderboards, (), refs={"user": "user"}),
    Rows("award_category", AwardCategory, ("name", "description"), keep_ids=True),
    Rows(
        "nomination",
        Nomination,
        ("category", "period_start", "period_end", "reason", "created_at"),
        refs={"nominee": "user", "nominated_by": "user"},
        keep_ids=True,
        adjust=_custom_category,
    ),
    Rows(
        "award_vote",
        Vote,
        ("category", "period_start"),
        refs={"nomination": "nomination", "voter": "user"},
        adjust=_custom_category,
    ),
    Rows(
        "success_story",
        SuccessStory,
        ("title", "body", "created_at"),
        refs={"ticket": "ticket", "hero": "user", "author": "user"},
    ),
    Rows(
        "testimonial",
        Testimonial,
        ("quote", "published", "created_at"),
        refs={"rating": "rating"},
    ),
]

SECTION = rows_section("people", 50, ROWS)
