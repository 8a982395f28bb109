"""What the agent's ticket page shows of email: how each reply's sending went."""

from frontline.email.models import InboundEmail, MessageEmail


def delivery_status(user, workspace, ticket) -> dict:
    sent = MessageEmail.objects.filter(
        message__ticket=ticket, direction=MessageEmail.Direction.OUT
    ).values("message_id", "status", "error", "next_attempt_at")
    labels = dict(MessageEmail.Status.choices)
    received = InboundEmail.objects.filter(workspace=workspace, message__ticket=ticket).values_list(
        "message_id", flat=True
    )
    return {
        "email_delivery": {
            row["message_id"]: row | {"label": labels[row["status"]]} for row in sent
        },
        "email_originals": set(received),  # messages with "show the original email"
    }
