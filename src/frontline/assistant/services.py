"""The assistant's business logic: settings, routing rules, training and activation of
intent models, and the per-process cache of the active model.

A new model becomes active only when its held-out macro-F1 is at least as good as the
active one's (within TOLERANCE, because two runs are measured on different random
held-out splits); a failed or worse run is kept as a record and changes nothing.
"""

import logging
import re
import threading
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from frontline.accounts.models import User, Workspace
from frontline.assistant import similar
from frontline.assistant.labels import training_examples
from frontline.assistant.ml.intent import IntentModel, TrainingDataError
from frontline.assistant.models import (
    UNSURE,
    AssistantSettings,
    IntentModelVersion,
    RoutingRule,
)
from frontline.lib import cached, clock
from frontline.lib.errors import invalid
from frontline.tickets.models import CustomField, Priority, Team

log = logging.getLogger(__name__)

TOLERANCE = 0.005  # macro-F1 points a new model may lose to split noise and still win
State = IntentModelVersion.State


# ---- settings --------------------------------------------------------------------------


def settings_for(workspace_id: int) -> AssistantSettings:
    config, _ = AssistantSettings.objects.get_or_create(workspace_id=workspace_id)
    return config


def triage_settings(workspace_id: int) -> AssistantSettings:
    """A read-only copy of the settings with the default team, from lib.cached: triage reads
    it on every new ticket. Change settings through `settings_for` and save."""

    def load():
        config = settings_for(workspace_id)
        config.default_team  # noqa: B018  (loaded now, so the cached copy carries it)
        return config

    return cached.read(f"assistant:settings:{workspace_id}", load)


def update_settings(workspace: Workspace, **changes: Any) -> AssistantSettings:
    config = settings_for(workspace.pk)
    allowed = {
        "enabled",
        "label_source",
        "label_key",
        "encoders",
        "default_team",
        "retrain_every_hours",
    }
    if unknown := set(changes) - allowed:
        raise invalid(sorted(unknown)[0], "is not an assistant setting")
    if (
        "label_source" in changes
        and changes["label_source"] not in AssistantSettings.LabelSource.values
    ):
        raise invalid("label_source", "must be custom_field, team or tag_group")
    source = changes.get("label_source", config.label_source)
    key = (changes.get("label_key", config.label_key) or "").strip()
    if (
        source == AssistantSettings.LabelSource.CUSTOM_FIELD
        and not CustomField.objects.filter(workspace=workspace, key=key).exists()
    ):
        raise invalid("label_key", f"there is no custom field with the key {key!r}")
    if source == AssistantSettings.LabelSource.TAG_GROUP and not key:
        raise invalid("label_key", "give the tag prefix, such as topic-")
    changes["label_key"] = key
    if "encoders" in changes:
        from frontline.assistant.ml.encoders import ENCODERS

        names = [n.strip() for n in (changes["encoders"] or "").split(",") if n.strip()]
        if bad := [n for n in names if n not in ENCODERS]:
            raise invalid("encoders", f"unknown encoder {bad[0]!r}; known: {', '.join(ENCODERS)}")
        changes["encoders"] = ",".join(names)
    team = changes.get("default_team")
    if team is not None and team.workspace_id != workspace.pk:
        raise invalid("default_team", "is not a team of this workspace")
    hours = changes.get("retrain_every_hours", config.retrain_every_hours)
    if not isinstance(hours, int) or hours < 1:
        raise invalid("retrain_every_hours", "must be a whole number of hours, at least 1")
    for name, value in changes.items():
        setattr(config, name, value)
    config.save()
    return config


def update_generation(
    workspace: Workspace,
    *,
    enabled: bool,
    url: str,
    model: str,
    api_key: str | None = None,
) -> AssistantSettings:
    """Where generated answers come from. `api_key` None keeps the stored key; "" forgets it."""
    from frontline.lib.sealed import seal

    url, model = (url or "").strip(), (model or "").strip()
    if url and not re.match(r"https?://[^\s/]+", url):
        raise invalid("generation_url", "must start with http:// or https://")
    if enabled and not (url and model):
        raise invalid("generation_url", "give the endpoint's address and model to turn it on")
    if len(url) > 300 or len(model) > 100:
        raise invalid("generation_url", "is too long")
    config = settings_for(workspace.pk)
    config.generate_answers, config.generation_url, config.generation_model = enabled, url, model
    fields = ["generate_answers", "generation_url", "generation_model"]
    if api_key is not None:
        config.generation_key = seal(api_key.strip())
        fields.append("generation_key")
    config.save(update_fields=fields)
    return config


def label_source_name(config: AssistantSettings) -> str:
    if config.label_source == AssistantSettings.LabelSource.TEAM:
        return "team"
    return f"{config.label_source}:{config.label_key}"


# ---- routing rules ---------------------------------------------------------------------


def set_rule(
    workspace: Workspace,
    intent: str,
    *,
    team: Team | None = None,
    priority: str = "",
    add_tags: list[str] | None = None,
    always_human: bool = False,
) -> RoutingRule | None:
    """Say what happens to tickets of this intent (or UNSURE). A rule with nothing to do
    is removed."""
    intent = (intent or "").strip()
    if not intent:
        raise invalid("intent", "is required")
    if priority and priority not in Priority.values:
        raise invalid("priority", f"must be one of {', '.join(Priority.values)}")
    if team is not None and team.workspace_id != workspace.pk:
        raise invalid("team", "is not a team of this workspace")
    tags = sorted({t.strip().lower() for t in (add_tags or []) if t.strip()})
    if team is None and not priority and not tags and not always_human:
        RoutingRule.objects.filter(workspace=workspace, intent=intent).delete()
        return None
    rule, _ = RoutingRule.objects.update_or_create(
        workspace=workspace,
        intent=intent,
        defaults={
            "team": team,
            "priority": priority,
            "add_tags": tags,
            "always_human": always_human,
        },
    )
    return rule


def rules_for(workspace_id: int) -> dict[str, RoutingRule]:
    """The routing rules by intent (with their teams), from lib.cached."""
    return cached.read(
        f"assistant:rules:{workspace_id}",
        lambda: {
            r.intent: r
            for r in RoutingRule.objects.filter(workspace_id=workspace_id).select_related("team")
        },
    )


def forget_cached_rows(sender, instance, **kwargs) -> None:
    """Signal receiver (assistant.apps): settings, rules, model versions or teams (which
    rules and the default team point to) changed; triage must not use the old ones. A
    team's round-robin cursor is not among what triage reads."""
    if cached.saved_only(kwargs, "last_assigned"):
        return
    ws = instance.workspace_id
    cached.forget(f"assistant:settings:{ws}", f"assistant:rules:{ws}", f"assistant:model:{ws}")


# ---- training --------------------------------------------------------------------------


def train(
    workspace: Workspace, *, trigger: str = "manual", by: User | None = None, force: bool = False
) -> IntentModelVersion:
    """Train on the workspace's labelled tickets and activate the result if it is at
    least as good as the active model (or `force`). Always returns the recorded run.
    Rebuilds the similar-tickets index on the way."""
    config = settings_for(workspace.pk)
    try:
        similar.rebuild_index(workspace.pk)
    except Exception:  # suggestions are a bonus; never let them stop a training
        log.exception("assistant: similar-tickets index of workspace %s failed", workspace.pk)
    examples = training_examples(config)
    encoders = [n for n in config.encoders.split(",") if n] or None
    model = IntentModel()
    try:
        if encoders:
            report = model.train(examples.texts, examples.labels, encoder_names=encoders)
        else:
            report = model.train(examples.texts, examples.labels)
    except TrainingDataError as exc:
        return _record(workspace, State.FAILED, trigger, by, config, {"error": str(exc)})
    details = report.as_dict() | {
        "corrections": examples.corrections,
        "left_out_machine_labels": examples.left_out,
    }
    with transaction.atomic():
        # One training at a time per workspace decides which version is active.
        AssistantSettings.objects.select_for_update().get(pk=config.pk)
        active = IntentModelVersion.objects.filter(workspace=workspace, state=State.ACTIVE).first()
        better = (
            active is None
            or force
            or (report.holdout_macro_f1 >= (active.macro_f1 or 0) - TOLERANCE)
        )
        if not better:
            details["rejected_because"] = (
                f"macro-F1 {report.holdout_macro_f1:.3f} is below the active version's "
                f"{active.macro_f1:.3f}"
            )
            return _record(workspace, State.REJECTED, trigger, by, config, details)
        if active is not None:
            active.state = State.RETIRED
            active.save(update_fields=["state"])
        version = _record(workspace, State.ACTIVE, trigger, by, config, details, model)
    return version


def _record(workspace, state, trigger, by, config, report, model=None) -> IntentModelVersion:
    with transaction.atomic():
        number = (
            IntentModelVersion.objects.filter(workspace=workspace).aggregate(n=Max("number"))["n"]
            or 0
        ) + 1
        version = IntentModelVersion(
            workspace=workspace,
            number=number,
            state=state,
            trigger=trigger,
            trained_by=by,
            label_source=label_source_name(config),
            report=report,
        )
        if model is not None:
            version.file.save(
                f"{workspace.pk}-v{number}.model", ContentFile(model.to_bytes()), save=False
            )
        version.save()
    log.info("assistant: workspace %s model v%s %s", workspace.pk, number, state)
    return version


def adopt(workspace: Workspace, model: IntentModel, *, trigger: str) -> IntentModelVersion:
    """Store a model trained elsewhere (the answers benchmark) as the active version."""
    config = settings_for(workspace.pk)
    with transaction.atomic():
        IntentModelVersion.objects.filter(workspace=workspace, state=State.ACTIVE).update(
            state=State.RETIRED
        )
        return _record(
            workspace, State.ACTIVE, trigger, None, config, model.report.as_dict(), model
        )


def activate(version: IntentModelVersion) -> IntentModelVersion:
    """Roll back (or forward) to a stored version."""
    if not version.file:
        raise invalid("version", "this run has no stored model (it failed or was rejected)")
    with transaction.atomic():
        IntentModelVersion.objects.filter(
            workspace_id=version.workspace_id, state=State.ACTIVE
        ).update(state=State.RETIRED)
        version.state = State.ACTIVE
        version.save(update_fields=["state"])
    return version


# ---- the active model, loaded once per process -------------------------------------------

_loaded: dict[int, tuple[int, IntentModel]] = {}
_lock = threading.Lock()


def active_model(workspace_id: int) -> tuple[IntentModelVersion, IntentModel] | None:
    version = cached.read(
        f"assistant:model:{workspace_id}",
        lambda: (
            IntentModelVersion.objects.filter(workspace_id=workspace_id, state=State.ACTIVE)
            .only("pk", "number", "file", "workspace_id")
            .first()
        ),
    )
    if version is None:
        return None
    loaded = _loaded.get(workspace_id)
    if loaded and loaded[0] == version.pk:
        return version, loaded[1]
    with _lock:
        loaded = _loaded.get(workspace_id)
        if not (loaded and loaded[0] == version.pk):
            with version.file.open("rb") as f:
                _loaded[workspace_id] = (version.pk, IntentModel.from_bytes(f.read()))
    return version, _loaded[workspace_id][1]


def known_intents(workspace_id: int) -> list[str]:
    version = (
        IntentModelVersion.objects.filter(workspace_id=workspace_id, state=State.ACTIVE)
        .only("report")
        .first()
    )
    return sorted(version.report.get("counts", {})) if version else []


__all__ = [
    "UNSURE",
    "activate",
    "active_model",
    "rules_for",
    "set_rule",
    "settings_for",
    "train",
    "update_settings",
]


def update_bot_settings(workspace: Workspace, *, by, data) -> AssistantSettings:
    """The virtual agent's tone, channels, hours and answer threshold (from the form: a
    QueryDict or a dict of strings). An empty threshold means the built-in default."""
    from frontline.tickets.events import Actor
    from frontline.tickets.services.rows import update_logged

    config = settings_for(workspace.pk)
    choices = {
        "bot_tone": AssistantSettings.Tone,
        "bot_email": AssistantSettings.EmailMode,
        "bot_hours": AssistantSettings.Hours,
    }
    changes: dict[str, Any] = {"bot_help_center": data.get("bot_help_center") == "on"}
    for name, options in choices.items():
        value = data.get(name) or getattr(config, name)
        if value not in options.values:
            raise invalid(name, f"must be one of {', '.join(options.values)}")
        changes[name] = value
    raw = (data.get("bot_answer_at") or "").strip()
    try:
        answer_at = float(raw) if raw else None
    except ValueError:
        answer_at = -1
    if answer_at is not None and not MIN_ANSWER_AT <= answer_at <= 1:
        raise invalid("bot_answer_at", "The answer threshold is a number from 0.30 to 1.00")
    changes["bot_answer_at"] = answer_at
    changes["bot_auto_threshold"] = data.get("bot_auto_threshold") == "on"
    return update_logged(config, Actor.of(by), "assistant.bot_settings", changes)


MIN_ANSWER_AT = 0.3
AUTO_STEP = 0.02  # a smaller move than this is noise in the verdicts, not news
AUTO_THRESHOLD_EVENT = "assistant.bot_threshold_auto"


def adjust_bot_threshold(workspace: Workspace, *, days: int = 30) -> tuple[float, float] | None:
    """If the workspace lets it, move the answer threshold to the one its customers'
    verdicts of the last `days` suggest (bot_report.suggested_threshold: the lowest that
    kept enough rated answers 95 % right). Returns (from, to), or None when it stays.
    Logged as the system's change, so the page can say when and why it moved."""
    from frontline.assistant import bot_report, virtual_agent
    from frontline.tickets.events import SYSTEM
    from frontline.tickets.services.rows import update_logged

    config = settings_for(workspace.pk)
    if not config.bot_auto_threshold:
        return None
    curve = bot_report.threshold_curve(workspace, clock.now() - timedelta(days=days))
    suggested = bot_report.suggested_threshold(curve)
    if suggested is None:
        return None
    current = config.bot_answer_at or virtual_agent.ANSWER_AT
    target = round(min(max(suggested, MIN_ANSWER_AT), 1.0), 2)
    if abs(target - current) < AUTO_STEP:
        return None
    update_logged(config, SYSTEM, AUTO_THRESHOLD_EVENT, {"bot_answer_at": target})
    return current, target


def forget_customer(customer, ticket_ids: list[int]) -> None:
    """tickets hook (erasure): the questions they asked the virtual agent in their chats
    and emails (help-center questions are not tied to a person and stay)."""
    from frontline.assistant.models import BotTurn

    BotTurn.objects.filter(ticket_id__in=ticket_ids).delete()


def customer_data(customer, data: dict) -> None:
    """tickets hook (right of access): what they asked the virtual agent, and what the
    assistant read in their tickets (intent, tone, language)."""
    from frontline.assistant.models import BotTurn, TicketInsight

    turns = BotTurn.objects.filter(ticket__requester=customer).select_related("ticket")
    data["virtual_agent"] = [
        {"ticket": t.ticket.number, "question": t.question, "answer": t.kind,
         "outcome": t.outcome, "at": t.created_at}
        for t in turns.order_by("pk")
    ]  # fmt: skip
    insights = TicketInsight.objects.filter(ticket__requester=customer).select_related("ticket")
    data["assistant_readings"] = [
        {"ticket": i.ticket.number, "intent": i.intent, "sentiment": i.sentiment,
         "frustrated": i.frustrated, "language": i.language}
        for i in insights.order_by("ticket__number")
    ]  # fmt: skip
