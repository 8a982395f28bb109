"""The workspace's own labelled tickets, as training data for the intent model.

The label is a ticket field the admin chooses (AssistantSettings.label_source): a custom
field, the team, or the one tag of a group (tags starting with a prefix). The text is the
subject and the customer's first message.

A label the assistant wrote itself is not evidence: those tickets are left out unless an
agent changed that field afterwards, which is a correction and the most useful example
of all. The event log says who changed what, so corrections need no table of their own.
"""

from dataclasses import dataclass

from frontline.assistant.models import AssistantSettings, TicketInsight
from frontline.tickets.models import Event, Message, Team, Ticket

LABEL_EVENT = {
    AssistantSettings.LabelSource.CUSTOM_FIELD: "ticket.custom_fields",
    AssistantSettings.LabelSource.TEAM: "ticket.team",
    AssistantSettings.LabelSource.TAG_GROUP: "ticket.tags",
}


def touches_label(config: AssistantSettings, before, after) -> bool:
    """Whether an agent's change (a ticket event's before/after) is about the label, not
    another custom field or tag changed on the same ticket."""
    source = config.label_source
    if source == AssistantSettings.LabelSource.CUSTOM_FIELD:
        return isinstance(after, dict) and config.label_key in after
    if source == AssistantSettings.LabelSource.TAG_GROUP:
        changed = set(before or ()) ^ set(after or ())
        return any(str(tag).startswith(config.label_key) for tag in changed)
    return True  # the team is the label


@dataclass
class Examples:
    texts: list[str]
    labels: list[str]
    corrections: int  # examples where an agent replaced the assistant's label
    left_out: int  # tickets labelled only by the assistant


def ticket_text(subject: str, body: str) -> str:
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or body.lower().startswith(subject.lower()):
        return body or subject
    return f"{subject}\n{body}"


def label_of(config: AssistantSettings, ticket: Ticket, team_names: dict, tag_names) -> str:
    source = config.label_source
    if source == AssistantSettings.LabelSource.CUSTOM_FIELD:
        value = ticket.custom_fields.get(config.label_key)
        return value.strip() if isinstance(value, str) else ""
    if source == AssistantSettings.LabelSource.TEAM:
        return team_names.get(ticket.team_id, "")
    group = [t for t in tag_names if t.startswith(config.label_key)]
    return group[0] if len(group) == 1 else ""  # none, or ambiguous


def label_counts(config: AssistantSettings) -> list[tuple[str, int]]:
    """Tickets per label as they stand now (one grouped query, for the admin page, before
    and between trainings), most first. The assistant's own labels are left out, as in
    training, unless an agent corrected them."""
    from django.db.models import Count
    from django.db.models.fields.json import KT

    source = config.label_source
    tickets = Ticket.objects.filter(workspace_id=config.workspace_id, merged_into__isnull=True)
    tickets = tickets.exclude(insight__wrote_label=True)
    if source == AssistantSettings.LabelSource.CUSTOM_FIELD:
        if not config.label_key:
            return []
        rows = (
            tickets.annotate(label=KT(f"custom_fields__{config.label_key}"))
            .exclude(label__isnull=True)
            .values_list("label")
        )
    elif source == AssistantSettings.LabelSource.TEAM:
        rows = tickets.exclude(team__isnull=True).values_list("team__name")
    else:
        if not config.label_key:
            return []
        rows = tickets.filter(tags__name__startswith=config.label_key).values_list("tags__name")
    counted = rows.annotate(n=Count("id", distinct=True)).order_by()
    found = [(str(label).strip(), n) for label, n in counted if str(label or "").strip()]
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))


def training_examples(config: AssistantSettings) -> Examples:
    workspace_id = config.workspace_id
    by_tags = config.label_source == AssistantSettings.LabelSource.TAG_GROUP
    tickets = Ticket.objects.filter(workspace_id=workspace_id, merged_into__isnull=True).only(
        "pk", "subject", "team_id", "custom_fields"
    )
    if by_tags:
        tickets = tickets.prefetch_related("tags")
    team_names = dict(Team.objects.filter(workspace_id=workspace_id).values_list("pk", "name"))
    labelled = {}
    for ticket in tickets.iterator(2000):
        tags = [t.name for t in ticket.tags.all()] if by_tags else []
        label = label_of(config, ticket, team_names, tags)
        if label:
            labelled[ticket.pk] = (ticket.subject, label)

    machine = dict(
        TicketInsight.objects.filter(workspace_id=workspace_id, wrote_label=True).values_list(
            "ticket_id", "intent"
        )
    )
    corrected = {
        ticket_id
        for ticket_id, before, after in Event.objects.filter(
            workspace_id=workspace_id,
            ticket_id__in=machine,
            kind=LABEL_EVENT[config.label_source],
            actor_type=Event.Actor.USER,
        ).values_list("ticket_id", "before", "after")
        if touches_label(config, before, after)
    }
    first_messages: dict[int, str] = {}
    for ticket_id, body in (
        Message.objects.filter(
            workspace_id=workspace_id, ticket_id__in=labelled, author_type=Message.Author.CUSTOMER
        )
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "body_text")
        .iterator(2000)
    ):
        first_messages.setdefault(ticket_id, body)

    texts, labels, corrections, left_out = [], [], 0, 0
    for ticket_id, (subject, label) in labelled.items():
        if ticket_id in machine and ticket_id not in corrected:
            left_out += 1
            continue
        if ticket_id in corrected and machine[ticket_id] != label:
            corrections += 1
        text = ticket_text(subject, first_messages.get(ticket_id, ""))
        if text:
            texts.append(text)
            labels.append(label)
    return Examples(texts, labels, corrections, left_out)
