"""Customer feedback in a workspace export: survey settings, the surveys sent, every
rating with its closed-loop follow-up, and who asked for no more surveys."""

from frontline.feedback.models import FollowUp, Rating, SurveyOptOut, SurveyRequest, SurveySettings
from frontline.tickets.portability import Rows, rows_section

ROWS = [
    Rows(
        "survey_settings",
        SurveySettings,
        ("enabled", "kind", "question", "reopen_on_bad", "delay_hours"),
        one_per_workspace=True,
    ),
    Rows(
        "survey_request",
        SurveyRequest,
        ("kind", "sent_at"),
        refs={"ticket": "ticket", "agent": "user"},
    ),
    Rows(
        "rating",
        Rating,
        (
            "kind",
            "score",
            "channel",
            "via",
            "comment",
            "comment_sentiment",
            "consent_to_share",
            "created_at",
            "updated_at",
        ),
        refs={"ticket": "ticket", "agent": "user", "team": "team", "customer": "customer"},
        keep_ids=True,  # follow-ups, kudos and testimonials refer to ratings
    ),  # fmt: skip
    Rows(
        "rating_follow_up",
        FollowUp,
        ("status", "note", "created_at", "closed_at"),
        refs={"rating": "rating", "assignee": "user", "closed_by": "user"},
    ),
    Rows("survey_opt_out", SurveyOptOut, ("created_at",), refs={"customer": "customer"}),
]

SECTION = rows_section("feedback", 40, ROWS)
