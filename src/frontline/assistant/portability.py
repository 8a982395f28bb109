"""The assistant in a workspace export: its settings, routing rules, what it concluded
about each ticket, and the virtual agent's turns (for its reports).

Not exported: the generation endpoint's key (a secret, like API tokens) and the trained
models (the imported workspace trains its own from the imported tickets, on its schedule
or with `frontline assistant train`).
"""

from collections.abc import Iterator

from frontline.accounts.models import Workspace
from frontline.assistant.models import AssistantSettings, BotTurn, RoutingRule, TicketInsight
from frontline.knowledge.models import Article
from frontline.tickets.portability import Importer, Section, parse_time

SETTINGS_FIELDS = (
    "enabled", "label_source", "label_key", "encoders", "retrain_every_hours",
    "generate_answers", "generation_url", "generation_model", "bot_tone", "bot_help_center",
    "bot_email", "bot_hours", "bot_answer_at", "bot_auto_threshold",
)  # fmt: skip
INSIGHT_FIELDS = (
    "intent", "confidence", "unsure", "wrote_label", "sentiment", "frustrated", "signals",
    "language", "created_at",
)  # fmt: skip


def export(ws: Workspace) -> Iterator[dict]:
    config = AssistantSettings.objects.filter(workspace=ws).select_related("default_team").first()
    if config is not None:
        data = {k: getattr(config, k) for k in SETTINGS_FIELDS}
        data["default_team"] = config.default_team.slug if config.default_team else None
        yield {"type": "assistant_settings", "data": data}
    for rule in RoutingRule.objects.filter(workspace=ws).select_related("team").order_by("pk"):
        yield {
            "type": "routing_rule",
            "data": {
                "intent": rule.intent,
                "team": rule.team.slug if rule.team else None,
                "priority": rule.priority,
                "add_tags": rule.add_tags,
                "always_human": rule.always_human,
            },
        }
    insights = TicketInsight.objects.filter(workspace=ws).select_related("ticket").order_by("pk")
    for i in insights.iterator(chunk_size=1000):
        data = {k: getattr(i, k) for k in INSIGHT_FIELDS}
        yield {"type": "ticket_insight", "data": {"ticket": i.ticket.number, **data}}
    turns = BotTurn.objects.filter(workspace=ws).select_related("article", "ticket").order_by("pk")
    for t in turns.iterator(chunk_size=1000):
        yield {
            "type": "bot_turn",
            "data": {
                "id": t.pk,
                "question": t.question,
                "kind": t.kind,
                "reason": t.reason,
                "confidence": t.confidence,
                "article": t.article.slug if t.article else None,
                "outcome": t.outcome,
                "helped": t.helped,
                "channel": t.channel,
                "ticket": t.ticket.number if t.ticket else None,
                "created_at": t.created_at,
            },
        }


def read_settings(imp: Importer, d: dict) -> None:
    values = {k: d[k] for k in SETTINGS_FIELDS if k in d}
    values["default_team"] = imp.team(d.get("default_team"))
    AssistantSettings.objects.update_or_create(workspace=imp.workspace, defaults=values)


def read_rule(imp: Importer, d: dict) -> None:
    RoutingRule.objects.create(
        workspace=imp.workspace,
        intent=d["intent"],
        team=imp.team(d.get("team")),
        priority=d.get("priority", ""),
        add_tags=d.get("add_tags") or [],
        always_human=d.get("always_human", False),
    )


def read_insight(imp: Importer, d: dict) -> None:
    values = {k: d[k] for k in INSIGHT_FIELDS if k in d}
    values["created_at"] = parse_time(d["created_at"])
    TicketInsight.objects.create(workspace=imp.workspace, ticket=imp.ticket(d["ticket"]), **values)


def read_turn(imp: Importer, d: dict) -> None:
    article = None
    if d.get("article"):
        article = Article.objects.filter(workspace=imp.workspace, slug=d["article"]).first()
        if article is None:
            raise ValueError(f"bot turn {d['id']}: unknown article {d['article']!r}")
    turn = BotTurn.objects.create(
        workspace=imp.workspace,
        question=d["question"],
        kind=d["kind"],
        reason=d.get("reason", ""),
        confidence=d.get("confidence"),
        article=article,
        outcome=d.get("outcome", BotTurn.Outcome.OPEN),
        helped=d.get("helped"),
        channel=d.get("channel", "help_center"),
        ticket=imp.ticket(d["ticket"]) if d.get("ticket") is not None else None,
        created_at=parse_time(d["created_at"]),
    )
    imp.extra.setdefault("bot_turns", {})[d["id"]] = turn.pk


def turn_id(imp: Importer, exported: int) -> int:
    """The imported turn for an exported turn id (the chat section's bot replies)."""
    found = imp.extra.get("bot_turns", {}).get(exported)
    if found is None:
        raise ValueError(f"unknown bot turn {exported}")
    return found


SECTION = Section(
    name="assistant",
    position=20,  # after the knowledge base: turns cite its articles
    export=export,
    readers={
        "assistant_settings": read_settings,
        "routing_rule": read_rule,
        "ticket_insight": read_insight,
        "bot_turn": read_turn,
    },
)
