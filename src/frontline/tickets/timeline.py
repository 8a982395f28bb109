"""A ticket's conversation and history as one list, oldest first, for the ticket page."""

from dataclasses import dataclass
from datetime import datetime

from frontline.accounts.models import User
from frontline.tickets.models import CustomField, Event, Message, Team, Ticket

# Event kinds shown as quiet lines (messages are shown as themselves).
_FIELDS = {
    "ticket.status": "status",
    "ticket.priority": "priority",
    "ticket.assignee": "assignee",
    "ticket.team": "team",
    "ticket.tags": "tags",
    "ticket.subject": "subject",
    "ticket.custom_fields": "fields",
    "assistant.triaged": "triage",
}


@dataclass
class Entry:
    at: datetime
    message: Message | None = None
    actor: str = ""
    text: str = ""  # for a change: "status: new → open"
    verb: str = "changed"


def timeline(ticket: Ticket, *, for_customer: bool = False) -> list[Entry]:
    messages = (
        ticket.messages.order_by("created_at", "id")
        .select_related("author_user", "author_customer")
        .prefetch_related("attachments")
    )
    if for_customer:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC)
    entries = [Entry(m.created_at, message=m) for m in messages]
    if for_customer:
        return entries
    events = list(
        Event.objects.filter(ticket=ticket, kind__in=_FIELDS)
        .select_related("actor_user", "actor_customer")
        .order_by("created_at", "id")
    )
    names = _names(events)
    labels = _field_labels(ticket, events)
    for e in events:
        field = _FIELDS[e.kind]
        if field == "fields":
            text = _field_changes(labels, e.before or {}, e.after or {})
        elif field == "triage":
            text = triage_text(e.after or {})
        else:
            before, after = e.before, e.after
            if field in ("assignee", "team"):  # ids shown by name
                before, after = names.get((field, before), before), names.get((field, after), after)
            text = _change(field, before, after)
        verb = "read the ticket:" if field == "triage" else "changed"
        entries.append(Entry(e.created_at, actor=_actor(e), text=text, verb=verb))
    entries.sort(key=lambda x: x.at)
    return entries


def triage_text(after: dict) -> str:
    """The assistant's reasons in one line: "intent: card_arrival (97%) → Cards"."""
    parts = []
    if after.get("intent"):
        share = f"{round(100 * (after.get('confidence') or 0))}%"
        if after.get("unsure"):
            parts.append(f"intent: unsure (best guess {after['intent']}, {share})")
        else:
            parts.append(f"intent: {after['intent']} ({share})")
    if after.get("team"):
        parts.append(f"routed to {after['team']}")
    if after.get("frustrated"):
        parts.append(f"customer frustrated ({', '.join(after.get('signals') or [])})")
    if after.get("language"):
        parts.append(f"language: {after['language']}")
    return "; ".join(parts) or "nothing to note"


def _field_labels(ticket: Ticket, events: list[Event]) -> dict[str, str]:
    if not any(e.kind == "ticket.custom_fields" for e in events):
        return {}
    return dict(
        CustomField.objects.filter(workspace_id=ticket.workspace_id).values_list("key", "label")
    )


def _field_changes(labels: dict[str, str], before: dict, after: dict) -> str:
    """One line for a change of custom fields: "Plan: Free → Pro; Seats: none → 12"."""
    keys = sorted(set(before) | set(after))
    return "; ".join(
        _change(labels.get(k, k), before.get(k), after.get(k))
        for k in keys
        if before.get(k) != after.get(k)
    )


def _names(events: list[Event]) -> dict:
    """(field, id) -> display name for assignee and team changes, in two queries."""
    ids = {"assignee": set(), "team": set()}
    for e in events:
        field = _FIELDS[e.kind]
        if field in ids:
            ids[field] |= {v for v in (e.before, e.after) if isinstance(v, int)}
    names: dict = {}
    for u in User.objects.filter(pk__in=ids["assignee"]):
        names[("assignee", u.pk)] = u.display_name
    for t in Team.objects.filter(pk__in=ids["team"]):
        names[("team", t.pk)] = t.name
    return names


def _actor(e: Event) -> str:
    if e.actor_user_id:
        return e.actor_user.display_name
    if e.actor_customer_id:
        return e.actor_customer.name or e.actor_customer.email
    return {"bot": "Virtual agent"}.get(e.actor_type, "Frontline")


def _change(field: str, before, after) -> str:
    def show(v):
        if v in (None, "", [], {}):
            return "none"
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, list):
            return ", ".join(map(str, v))
        return str(v)

    return f"{field}: {show(before)} → {show(after)}"
