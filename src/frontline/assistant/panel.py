"""The assistant's panel on the agent's ticket page: what it read in the ticket and why
it routed it there."""

from frontline.assistant.labels import ticket_text
from frontline.assistant.ml.encoders import ModelFilesMissing
from frontline.assistant.models import TicketInsight
from frontline.assistant.similar import similar_tickets
from frontline.tickets.models import Event, Message, Status

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "nb": "Norwegian", "fi": "Finnish", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian",
    "el": "Greek", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic",
    "he": "Hebrew", "hi": "Hindi", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "id": "Indonesian", "vi": "Vietnamese", "th": "Thai",
}  # fmt: skip


def ticket_panel(user, workspace, ticket) -> dict:
    insight = TicketInsight.objects.filter(ticket=ticket).select_related("model_version").first()
    similar = []
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        first = ticket.messages.filter(author_type=Message.Author.CUSTOMER).order_by("id").first()
        if first is not None:
            try:
                similar = similar_tickets(ticket, ticket_text(ticket.subject, first.body_text))
            except ModelFilesMissing:
                similar = []  # the encoder package is not installed: no suggestions
    if insight is None and not similar:
        return {}
    triaged = Event.objects.filter(ticket=ticket, kind="assistant.triaged").only("after").first()
    after = triaged.after if triaged else {}
    return {
        "assistant_panel": {
            "insight": insight,
            "percent": round(100 * insight.confidence)
            if insight and insight.confidence is not None
            else None,
            "team": after.get("team"),
            "language": LANGUAGE_NAMES.get(insight.language, insight.language) if insight else "",
            "similar": similar,
        }
    }
