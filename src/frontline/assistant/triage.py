"""Every new ticket, understood on arrival: intent (or unsure), team, priority, tags,
sentiment and frustration, language. Runs inside the create-ticket service (see
tickets.hooks), as the virtual agent, and records one Event that says why.

A triage failure must never lose a ticket: any error is logged and the ticket is created
untouched.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from frontline.assistant import services
from frontline.assistant.labels import ticket_text
from frontline.assistant.language import detect_language
from frontline.assistant.models import UNSURE, AssistantSettings, TicketInsight
from frontline.assistant.tone import Tone, read_tone
from frontline.lib import clock
from frontline.lib.insert import insert
from frontline.tickets import services as tickets
from frontline.tickets.events import BOT, event, record
from frontline.tickets.models import Customer, CustomField, Priority, Team, Ticket

log = logging.getLogger(__name__)

PRIORITY_RANK = {p: i for i, p in enumerate(Priority.values)}  # low < normal < high < urgent
FRUSTRATED_TAG = "frustrated"


@dataclass
class Analysis:
    """What the assistant concludes about a message, before anything is changed."""

    intent: str = ""
    confidence: float | None = None
    unsure: bool = False
    model_version: object = None
    model_number: int | None = None
    top: list = field(default_factory=list)
    tone: Tone | None = None
    language: str = ""


def analyse(workspace_id: int, text: str, *, recent_contacts: int = 0) -> Analysis:
    """The assistant's reading of one message (also the admin page's "try a message")."""
    result = Analysis(
        tone=read_tone(text, recent_contacts=recent_contacts), language=detect_language(text)
    )
    found = services.active_model(workspace_id)
    if found is not None:
        version, model = found
        prediction = model.predict(text)
        result.intent, result.confidence = prediction.label, prediction.confidence
        result.unsure, result.top = prediction.unsure, prediction.top
        result.model_version, result.model_number = version, version.number
    return result


def prepare(workspace, subject: str, text: str):
    """Before the ticket is written: read the message (model, tone, language)."""
    try:
        config = services.triage_settings(workspace.pk)
        if not config.enabled:
            return None
        full = ticket_text(subject, text)
        return config, full, analyse(workspace.pk, full)
    except Exception:
        log.exception("assistant: reading a new ticket of workspace %s failed", workspace.pk)
        return None


def requester_fields(prepared) -> dict:
    """A requester created by the new ticket starts with the language it is written in."""
    _, _, result = prepared
    return {"language": result.language} if result.language else {}


def triage_new_ticket(ticket: Ticket, message, prepared=None) -> None:
    """Inside the create-ticket transaction: route and record what `prepare` read."""
    try:
        if prepared is None:
            prepared = prepare(ticket.workspace, ticket.subject, message.body_text)
            if prepared is None:
                return
        config, text, result = prepared
        # Contacting us again only matters with an unhappy tone: count only then.
        if {"negative tone", "anger"} & set(result.tone.signals):
            recent = (
                Ticket.objects.filter(
                    requester_id=ticket.requester_id,
                    created_at__gte=clock.now() - timedelta(days=7),
                )
                .exclude(pk=ticket.pk)
                .count()
            )
            result.tone = read_tone(text, recent_contacts=recent)
        apply(ticket, config, result)
    except Exception:
        log.exception("assistant: triage of ticket %s failed; created untouched", ticket.pk)


def apply(ticket: Ticket, config: AssistantSettings, result: Analysis) -> None:
    changes, team, wrote_label = decide(ticket, config, result)
    if changes:
        tickets.update_ticket(ticket, by=BOT, changes=changes)
    _record(ticket, result, changes, team, wrote_label)


def decide(ticket, config: AssistantSettings, result: Analysis):
    """(changes to the ticket, the team it goes to, whether the label is written): the
    routing rules, the unsure default, the language team and the frustration bump. Reads
    `ticket` only (workspace_id, team_id, priority, custom_fields), so the admin page's
    "try a message" shows exactly what a new ticket would get."""
    changes: dict = {}
    rules = services.rules_for(ticket.workspace_id)
    wrote_label = False
    team: Team | None = None
    if result.model_version is not None:
        rule = rules.get(UNSURE if result.unsure else result.intent)
        if not result.unsure:
            label_changes, team = _label_changes(ticket, config, result.intent)
            changes |= label_changes
            # With the team as label, routing to the team is writing the label.
            wrote_label = bool(label_changes) or (team is not None and ticket.team_id is None)
        if rule is not None:
            team = rule.team or team
            if rule.priority:
                changes["priority"] = _by_rule(ticket.priority, rule.priority)
            if rule.add_tags:
                changes["add_tags"] = list(rule.add_tags)
        if result.unsure and team is None:
            team = config.default_team
    # A language team wins over the intent's team: the customer needs someone who can
    # read them. Its priority and tags add to the intent's.
    language_rule = rules.get(language_key(result.language)) if result.language else None
    if language_rule is not None:
        team = language_rule.team or team
        if language_rule.priority:
            current = changes.get("priority", ticket.priority)
            changes["priority"] = _by_rule(current, language_rule.priority)
        if language_rule.add_tags:
            changes["add_tags"] = [*changes.get("add_tags", []), *language_rule.add_tags]
    if team is not None and ticket.team_id is None:
        changes["team"] = team
    if result.tone and result.tone.frustrated:
        changes["priority"] = _at_least(changes.get("priority", ticket.priority), Priority.HIGH)
        changes["add_tags"] = [*changes.get("add_tags", []), FRUSTRATED_TAG]
    if changes.get("priority") == ticket.priority:
        changes.pop("priority")
    return changes, team, wrote_label


def _record(ticket: Ticket, result: Analysis, changes: dict, team, wrote_label: bool) -> None:
    insert(
        TicketInsight(
            ticket=ticket,
            workspace_id=ticket.workspace_id,
            model_version=result.model_version,
            intent=result.intent,
            confidence=result.confidence,
            unsure=result.unsure,
            wrote_label=wrote_label,
            sentiment=result.tone.sentiment if result.tone else 0.0,
            frustrated=bool(result.tone and result.tone.frustrated),
            signals=result.tone.signals if result.tone else [],
            language=result.language,
        )
    )
    # The customer's language, when nobody said it: replies and the help center links for
    # them can follow it. Set once; an agent's choice is never replaced. (The requester
    # in hand tells whether it is known already, without a write.)
    requester = ticket.requester if Ticket.requester.is_cached(ticket) else None
    if result.language and ticket.requester_id and not (requester and requester.language):
        Customer.objects.filter(pk=ticket.requester_id, language="").update(
            language=result.language
        )
    record(
        [
            event(
                ticket.workspace_id,
                BOT,
                "assistant.triaged",
                ticket=ticket,
                after={
                    "intent": result.intent,
                    "confidence": result.confidence,
                    "unsure": result.unsure,
                    "model_version": result.model_number,
                    "team": team.name if team is not None else None,
                    "priority": changes.get("priority"),
                    "sentiment": result.tone.sentiment if result.tone else None,
                    "frustrated": bool(result.tone and result.tone.frustrated),
                    "signals": result.tone.signals if result.tone else [],
                    "language": result.language,
                },
            )
        ]
    )


def language_key(code: str) -> str:
    """The routing-rule key for customers writing in a language: "language:fr"."""
    return f"language:{code}"


def _label_changes(ticket, config, intent) -> tuple[dict, Team | None]:
    """Write the predicted label into the field it is learnt from, where it fits."""
    source = config.label_source
    if source == AssistantSettings.LabelSource.TEAM:
        team = Team.objects.filter(workspace_id=ticket.workspace_id, name=intent).first()
        return {}, team  # the team change itself is the label
    if source == AssistantSettings.LabelSource.TAG_GROUP:
        return {"add_tags": [intent]}, None
    field_def = CustomField.objects.filter(
        workspace_id=ticket.workspace_id, key=config.label_key
    ).first()
    if field_def is None or ticket.custom_fields.get(config.label_key):
        return {}, None
    if field_def.type == CustomField.Type.SELECT and intent not in field_def.choices:
        return {}, None
    if field_def.type not in (CustomField.Type.SELECT, CustomField.Type.TEXT):
        return {}, None
    return {"custom_fields": {config.label_key: intent}}, None


def _by_rule(current: str, wanted: str) -> str:
    """A rule sets the priority of a ticket created with the default one; a priority
    someone chose above it (an urgent ticket from the API, say) is only ever raised."""
    return wanted if current == Priority.NORMAL else _at_least(current, wanted)


def _at_least(priority: str, floor: str) -> str:
    return priority if PRIORITY_RANK[priority] >= PRIORITY_RANK[floor] else floor
