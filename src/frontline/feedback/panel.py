"""What the agent's ticket page shows of feedback: the customer's rating, their words and
the follow-up of a bad one."""

from frontline.feedback.models import Rating


def rating_panel(user, workspace, ticket) -> dict:
    rating = (
        Rating.objects.filter(ticket=ticket).select_related("agent", "follow_up__assignee").first()
    )
    if rating is None:
        return {}
    return {"feedback_rating": rating, "feedback_follow_up": getattr(rating, "follow_up", None)}
