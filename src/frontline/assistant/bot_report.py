"""How the virtual agent is doing: involvement, resolution (confirmed and assumed),
hand-overs and why, answer precision from customers' verdicts, the questions it could not
answer, and precision against coverage at other answer thresholds.

A conversation is a chat or an email ticket (all its turns), or one help-center question.
Its outcome is its last turn's: *resolved* (the customer said it helped), *assumed* (an
answer, and the customer asked nothing more), *handed over*, or *abandoned* (the agent
asked a question back and the customer left).
"""

import re
from collections import Counter

from frontline.accounts.models import Workspace
from frontline.assistant.models import BotTurn
from frontline.tickets.models import Channel, Ticket

OUTCOMES = ("resolved", "assumed", "handed_over", "abandoned")
# Reasons that mean "the knowledge base had no good answer": the top unanswered questions.
_UNANSWERED = re.compile(r"^(not sure|no article about it|intent .*: the article does not fit)")


def outcome_of(turn: dict) -> str:
    if turn["outcome"] == BotTurn.Outcome.RESOLVED:
        return "resolved"
    if turn["outcome"] == BotTurn.Outcome.HANDED_OVER:
        return "handed_over"
    return "assumed" if turn["kind"] == "answer" else "abandoned"


def reason_of(turn: dict) -> str:
    """A hand-over's reason, without the details that make each one different."""
    if turn["helped"] is False:
        return "the answer did not help"
    reason = turn["reason"] or "not sure"
    if reason.startswith("upset"):
        return "customer upset"
    if reason.endswith("always a person"):
        return "always a person (intent)"
    if _UNANSWERED.match(reason):
        return "not sure / no article"
    return reason


def report(workspace: Workspace, since) -> dict:
    turns = list(
        BotTurn.objects.filter(workspace=workspace, created_at__gte=since)
        .order_by("created_at", "id")
        .values("id", "ticket_id", "channel", "kind", "reason", "outcome", "helped", "question")
    )
    last = {}  # conversation → its last turn
    for turn in turns:
        last[("ticket", turn["ticket_id"]) if turn["ticket_id"] else ("q", turn["id"])] = turn
    outcomes = Counter(outcome_of(t) for t in last.values())
    total = len(last)
    reasons = Counter(reason_of(t) for t in last.values() if outcome_of(t) == "handed_over")
    verdicts = [t["helped"] for t in turns if t["kind"] == "answer" and t["helped"] is not None]
    unanswered = Counter(
        " ".join(t["question"].lower().split())[:200]
        for t in turns
        if t["kind"] == "handover" and _UNANSWERED.match(t["reason"] or "")
    )
    conversations = Ticket.objects.filter(
        workspace=workspace, created_at__gte=since, channel__in=(Channel.CHAT, Channel.EMAIL)
    ).count()
    involved = len({t["ticket_id"] for t in turns if t["ticket_id"]})
    return {
        "conversations": total,
        "by_channel": dict(Counter(t["channel"] for t in last.values())),
        "rates": {name: _share(outcomes[name], total) for name in OUTCOMES},
        "counts": {name: outcomes[name] for name in OUTCOMES},
        "involvement": _share(involved, conversations),
        "involved": involved,
        "chat_and_email": conversations,
        "reasons": reasons.most_common(),
        "precision": _share(sum(verdicts), len(verdicts)),
        "verdicts": len(verdicts),
        "unanswered": unanswered.most_common(10),
    }


def threshold_curve(workspace: Workspace, since) -> list[dict]:
    """For answers customers gave a verdict on: at each answer threshold, the share of them
    that would still be given (coverage) and the share of those that helped (precision)."""
    rated = list(
        BotTurn.objects.filter(
            workspace=workspace, created_at__gte=since, kind="answer",
            helped__isnull=False, confidence__isnull=False,
        ).values_list("confidence", "helped")
    )  # fmt: skip
    if not rated:
        return []
    curve = []
    for step in range(0, 51):
        threshold = step / 50
        kept = [helped for confidence, helped in rated if confidence >= threshold]
        point = {"threshold": threshold, "coverage": len(kept) / len(rated), "n": len(kept)}
        if kept:
            point["accuracy"] = sum(kept) / len(kept)  # precision, drawn as the chart's line
        curve.append(point)
    return curve


TARGET_PRECISION = 0.95
MIN_RATED = 20  # fewer verdicts than this say too little to suggest a threshold


def suggested_threshold(curve: list[dict]) -> float | None:
    """The lowest threshold at which the rated answers still given were right at least
    95 % of the time, if enough answers were rated; None otherwise."""
    if not curve or curve[0]["n"] < MIN_RATED:
        return None
    # Below the least confident rated answer every threshold keeps the same answers: the
    # verdicts say nothing about answering less surely than that, so never suggest it.
    floor = max(point["threshold"] for point in curve if point["coverage"] == 1)
    for point in curve:
        if point["threshold"] < floor:
            continue
        if point["n"] >= MIN_RATED and point.get("accuracy", 0) >= TARGET_PRECISION:
            return point["threshold"]
    return None


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None
