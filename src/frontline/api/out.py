"""Model -> JSON-ready dicts. Callers load the related rows (select/prefetch) first."""

from django.urls import reverse

from frontline.tickets.models import Attachment, Event, Message, Ticket


def person(obj) -> dict | None:
    if obj is None:
        return None
    name = getattr(obj, "name", "") or ""
    return {"id": obj.pk, "name": name, "email": obj.email or ""}


def _merged_into_number(t: Ticket) -> int | None:
    if not t.merged_into_id:
        return None
    # Search pages annotate the number instead of loading the whole survivor ticket.
    number = getattr(t, "merged_into_number", None)
    return number if number is not None else t.merged_into.number


def triage(insight) -> dict | None:
    """What the assistant read in the ticket when it arrived (None: it did not)."""
    if insight is None:
        return None
    version = insight.model_version
    return {
        "intent": insight.intent or None,
        "confidence": insight.confidence,
        "unsure": insight.unsure,
        "sentiment": insight.sentiment,
        "frustrated": insight.frustrated,
        "signals": insight.signals,
        "language": insight.language or None,
        "model_version": version.number if version else None,
    }


def _insights(ids: list[int]) -> dict:
    from frontline.assistant.models import TicketInsight

    found = TicketInsight.objects.filter(ticket_id__in=ids).select_related("model_version")
    return {i.ticket_id: i for i in found}


def tickets(hits) -> list[dict]:
    """A page of search hits, with their triage in one query."""
    insights = _insights([h.ticket.pk for h in hits])
    return [ticket(h.ticket, h.snippet, insights.get(h.ticket.pk)) for h in hits]


def one_ticket(t: Ticket) -> dict:
    # A ticket fresh from create_ticket holds its triage already (the one-to-one's cache).
    reverse = getattr(type(t), "insight", None)
    if reverse is not None and reverse.is_cached(t):
        return ticket(t, insight=t.insight)
    return ticket(t, insight=_insights([t.pk]).get(t.pk))


def ticket(t: Ticket, snippet: str | None = None, insight=None) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "channel": t.channel,
        "requester": person(t.requester),
        "assignee": person(t.assignee),
        "team": {"id": t.team.pk, "slug": t.team.slug, "name": t.team.name} if t.team else None,
        "tags": sorted(tag.name for tag in t.tags.all()),
        "custom_fields": t.custom_fields,
        "merged_into": _merged_into_number(t),
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "solved_at": t.solved_at,
        "snippet": snippet,
        "triage": triage(insight),
    }


def attachment(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "url": reverse("api:download_attachment", args=[a.pk]),
    }


def message(m: Message) -> dict:
    author = m.author_user if m.author_user_id else m.author_customer
    return {
        "id": m.pk,
        "visibility": m.visibility,
        "author_type": m.author_type,
        "author": person(author),
        "body_text": m.body_text,
        "body_html": m.body_html,
        "attachments": [attachment(a) for a in m.attachments.all()],
        "created_at": m.created_at,
    }


def event(e: Event, ticket_numbers: dict[int, int]) -> dict:
    actor = e.actor_user if e.actor_user_id else e.actor_customer
    return {
        "id": e.pk,
        "kind": e.kind,
        "ticket": ticket_numbers.get(e.ticket_id) if e.ticket_id else None,
        "actor_type": e.actor_type,
        "actor": person(actor),
        "before": e.before,
        "after": e.after,
        "created_at": e.created_at,
    }
