"""The assistant's panel on the agent's ticket page: what it read in the ticket and why
it routed it there."""

from frontline.assistant.labels import ticket_text
from frontline.assistant.ml.encoders import ModelFilesMissing
from frontline.assistant.models import BotTurn, TicketInsight
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
    similar, suggestion, internal = [], None, []
    first = ticket.messages.filter(author_type=Message.Author.CUSTOMER).order_by("id").first()
    if ticket.status not in (Status.SOLVED, Status.CLOSED) and first is not None:
        try:
            similar = similar_tickets(ticket, ticket_text(ticket.subject, first.body_text))
        except ModelFilesMissing:
            similar = []  # the encoder package is not installed: no suggestions
        suggestion = knowledge_suggestion(workspace, ticket, first)
        internal = internal_articles(workspace, first)
    # What the virtual agent tried with this customer (chat, help center, email) before a
    # person took over, for the agent who takes it.
    turns = list(
        BotTurn.objects.filter(ticket=ticket).select_related("article").order_by("id")[:20]
    )
    if insight is None and not similar and suggestion is None and not turns and not internal:
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
            "suggestion": suggestion,
            "turns": turns,
            "internal": internal,
        }
    }


def knowledge_suggestion(workspace, ticket, first) -> dict | None:
    """The virtual agent's answer to the customer's first message, for the agent to send
    (never sent by itself): the passage and its article. Chats have the agent live.
    Kept in the cache for 10 minutes per message (the ticket page renders often)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.urls import reverse

    from frontline.assistant import virtual_agent
    from frontline.assistant.models import AssistantSettings
    from frontline.assistant.services import settings_for

    if ticket.channel == "chat":
        return None
    if settings_for(workspace.pk).bot_email == AssistantSettings.EmailMode.OFF:
        return None
    key = f"kb-suggestion:{first.pk}"
    found = cache.get(key)
    if found is None:
        reply = virtual_agent.reply(workspace, first.body_text[:1000])
        found = {}
        if reply.kind == "answer" and reply.citation is not None:
            article = reply.citation
            url = settings.FRONTLINE_BASE_URL + reverse(
                "hc_article", args=[workspace.slug, article.slug]
            )
            found = {"text": reply.text, "title": article.title, "url": url,
                     "reply": f"{reply.text}\n\nMore in our help center: {url}"}  # fmt: skip
        cache.set(key, found, 600)
    return found or None


INTERNAL_AT = 0.45  # an internal article this close to the customer's words is worth a look


def internal_articles(workspace, first) -> list[dict]:
    """The team's own (internal, published) articles about the customer's first message,
    for the agent: playbooks and policies that are never sent to customers."""
    from django.core.cache import cache
    from django.urls import reverse

    from frontline.knowledge import retrieval

    key = f"kb-internal:{first.pk}"
    found = cache.get(key)
    if found is None:
        hits = retrieval.search(workspace, first.body_text[:1000], public=False, limit=10)
        found = [
            {
                "title": h.article.title,
                "url": reverse("kb_read", args=[workspace.slug, h.article.pk]),
            }
            for h in hits
            if h.article.visibility == "internal"
            and h.article.status == "published"
            and (h.similarity or 0) >= INTERNAL_AT
        ][:3]
        cache.set(key, found, 600)
    return found
