"""What the agent's ticket page shows of email: how each reply's sending went."""

from frontline.email.models import MessageEmail


def delivery_status(user, workspace, ticket) -> dict:
    sent = MessageEmail.objects.filter(
        message__ticket=ticket, direction=MessageEmail.Direction.OUT
    ).values("message_id", "status", "error", "next_attempt_at")
    labels = dict(MessageEmail.Status.choices)
    return {
        "email_delivery": {
            row["message_id"]: row | {"label": labels[row["status"]]} for row in sent
        }
    }
