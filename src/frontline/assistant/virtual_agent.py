"""The virtual agent: answers from the workspace's own articles, with a citation, and
says so and hands over to a person when it is not sure. It never writes an answer of its
own: the answer is the best passage of a published article (extractive).

Decisions, in order:
1. The customer asks for a person → hand over.
2. The customer is upset (tone: frustration signals) → hand over.
3. The workspace's triage model recognises the question's intent with confidence (its
   own calibrated out-of-scope threshold, or `intent_at`) → answer from the article
   that answers that intent (`Article.intent`); with no such article, only articles not
   tied to another intent are candidates below. Learnt from the team's own tickets, this
   is far more often right than similarity alone (bench/RESULTS.md).
4. Otherwise by similarity: the confidence is the best passage's similarity plus half its
   lead over the next article's; under ANSWER_AT → hand over, "not sure".
5. Two different articles are about as good (within CLOSE) → ask which one is meant.
6. Otherwise answer with the passage and a link to its article.
Every turn is recorded (`BotTurn`) with the outcome the customer gives ("it helped" /
"talk to a person"), for the resolution and handover rates.
"""

import re
from dataclasses import dataclass, field

from frontline.accounts.models import Workspace
from frontline.assistant.tone import read_tone
from frontline.knowledge import retrieval

# The confidence needed to answer. It depends on the knowledge base: on Banking77's 65
# crowded articles answers are 95% right only from 0.81 (`frontline assistant
# evaluate-answers`, tuning part), while the demo's clearly right answers score 0.66-0.78.
# A per-workspace calibrated threshold is the fix; until then a middle value
# (figures for both in bench/RESULTS.md).
ANSWER_AT = 0.6
LEAD_WEIGHT = 0.5  # how much the lead over the next article adds to the confidence
CLOSE = 0.03  # two articles this close in similarity: ask which one is meant
# Asking for a person, not merely mentioning one ("someone took my card" is not a request).
_PERSON = re.compile(
    r"\b(human|real person|live person|representative|operator|call me|"
    r"(talk|speak|chat)\s+(to|with)\s+(a |an |some|your |the )?(one|person|someone|somebody|"
    r"agent|human|staff|people)|"
    r"(need|want|get me|give me|connect me (to|with))\s+(a |an |to a )?"
    r"(person|agent|human|someone)|"
    r"(a|another) person,? please)\b",
    re.IGNORECASE,
)


@dataclass
class Reply:
    kind: str  # "answer", "clarify" or "handover"
    text: str
    reason: str = ""
    confidence: float | None = None
    hits: list = field(default_factory=list)  # the retrieval hits behind it

    @property
    def citation(self):
        return self.hits[0].article if self.kind == "answer" and self.hits else None


NOT_SURE = "I am not sure I can answer that correctly, so I am passing you to a person."
# The intent's article must also be about the question at all: its best passage at least
# this similar (retrieval's floor). Stricter values gained nothing on Banking77.
SUPPORT_AT = retrieval.MIN_SIMILARITY


@dataclass
class Reading:
    """What the agent found for a question, before it decides (the benchmark decides again
    from the same reading at other thresholds)."""

    hits: list  # search hits over all articles, most similar first
    intent: str = ""
    intent_confidence: float | None = None
    intent_sure: bool = False  # by the model's own calibrated threshold
    intent_answer: object = None  # the intent's article's best passage (a Hit), if any
    always_human: bool = False  # the workspace's rule: a person answers this intent


def reply(workspace: Workspace, question: str, **thresholds) -> Reply:
    """The agent's reply. Thresholds (`answer_at`, `intent_at`, `support_at`) override
    the defaults."""
    return answer(workspace, question, **thresholds)[0]


def answer(workspace: Workspace, question: str, **thresholds) -> tuple[Reply, Reading | None]:
    question = (question or "").strip()[:1000]
    if len(re.findall(r"\w+", question)) < 2:
        return Reply("clarify", "Could you tell me a little more about what you need?"), None
    if _PERSON.search(question):
        return Reply(
            "handover", "Of course: I am passing you to a person.", "asked for a person"
        ), None
    tone = read_tone(question)
    if tone.frustrated:
        return Reply(
            "handover",
            "I am sorry this has been difficult. A person from the team will take it from here.",
            "upset: " + ", ".join(tone.signals),
        ), None
    reading = read(workspace, question)
    decided = decide(reading, **thresholds)
    if decided.kind == "answer":
        _reword(workspace, question, decided)
    return decided, reading


def _reword(workspace: Workspace, question: str, decided: Reply) -> None:
    """With an endpoint configured: the answer worded from the passages, if every
    sentence is supported by the passages it cites (else the passage itself stays)."""
    from frontline.assistant import generation
    from frontline.assistant.services import settings_for

    provider = generation.provider_for(settings_for(workspace.pk))
    if provider is None:
        return
    hits = decided.hits[: generation.MAX_PASSAGES]
    made = generation.generate(provider, workspace.name, question, [h.passage for h in hits])
    if made is None:
        return
    decided.text = made.text
    decided.reason = (decided.reason + " " if decided.reason else "") + "(worded by the model)"
    first = hits[made.cited[0] - 1]  # the citation is the first passage it used
    decided.hits = [first] + [h for h in decided.hits if h is not first]


def read(workspace: Workspace, question: str) -> Reading:
    hits = sorted(
        (h for h in retrieval.search(workspace, question, limit=5) if h.similarity is not None),
        key=lambda h: -h.similarity,
    )
    reading = Reading(hits)
    intent = recognised_intent(workspace, question)
    if intent is not None:
        reading.intent, reading.intent_sure, reading.intent_confidence = intent
        reading.always_human = _always_human(workspace, reading.intent)
        article = _article_for(workspace, reading.intent)
        if article is not None:
            found = next((h for h in hits if h.article.pk == article.pk), None)
            reading.intent_answer = found or retrieval.best_passage(article, question)
    return reading


def decide(
    reading: Reading,
    *,
    answer_at: float | None = None,
    intent_at: float | None = None,
    support_at: float | None = None,
) -> Reply:
    answer_at = ANSWER_AT if answer_at is None else answer_at
    support_at = SUPPORT_AT if support_at is None else support_at
    hits = reading.hits
    if reading.intent:
        sure = (
            reading.intent_sure
            if intent_at is None
            else (reading.intent_confidence or 0) >= intent_at
        )
        found = reading.intent_answer
        if sure and reading.always_human:
            reason = f"intent {reading.intent}: always a person"
            text = "A person from the team will answer this one."
            return Reply("handover", text, reason, reading.intent_confidence)
        if sure and found is not None:
            if found.similarity is None or found.similarity >= support_at:
                reason = f"intent {reading.intent}"
                return Reply("answer", found.passage, reason, reading.intent_confidence, [found])
            return Reply("handover", NOT_SURE, f"intent {reading.intent}: the article does "
                         "not fit the question", reading.intent_confidence, [found])  # fmt: skip
        if sure:  # it is about this intent: an article tied to another is not the answer
            hits = [h for h in hits if h.article.intent in ("", reading.intent)]
    best = hits[0].similarity if hits else None
    confidence = _confidence(hits)
    if confidence is None or confidence < answer_at:
        return Reply("handover", NOT_SURE, "not sure" if hits else "no article about it",
                     confidence, hits)  # fmt: skip
    if (
        len(hits) > 1
        and hits[1].article.pk != hits[0].article.pk
        and (best - hits[1].similarity < CLOSE)
    ):
        return Reply(
            "clarify",
            f"Do you mean “{hits[0].article.title}” or “{hits[1].article.title}”?",
            "two close answers",
            confidence,
            hits[:2],
        )
    return Reply("answer", hits[0].passage, "", confidence, hits)


def recognised_intent(workspace: Workspace, question: str):
    """(intent, sure, confidence) from the workspace's triage model, or None when there is
    no model, or when no article is tied to an intent and no intent is kept for people
    (nothing the intent would change)."""
    from frontline.assistant import services
    from frontline.assistant.models import RoutingRule
    from frontline.knowledge.services import public_articles

    if (
        not public_articles(workspace).exclude(intent="").exists()
        and not RoutingRule.objects.filter(workspace=workspace, always_human=True).exists()
    ):
        return None
    found = services.active_model(workspace.pk)
    if found is None:
        return None
    prediction = found[1].predict(question)
    return prediction.label, not prediction.unsure, prediction.confidence


def _always_human(workspace: Workspace, label: str) -> bool:
    from frontline.assistant.models import RoutingRule

    return RoutingRule.objects.filter(workspace=workspace, intent=label, always_human=True).exists()


def _article_for(workspace: Workspace, label: str):
    from frontline.knowledge.services import public_articles

    originals = public_articles(workspace).filter(translation_of__isnull=True)
    return originals.filter(intent=label).order_by("pk").first()


def _confidence(hits) -> float | None:
    """The best passage's similarity plus part of its lead over the next article's. A best
    passage only a little ahead of another article's is often the wrong article, so it
    needs a higher similarity to be trusted (measured on the tuning part of
    `frontline assistant evaluate-answers`)."""
    if not hits:
        return None
    best = hits[0].similarity
    runner_up = hits[1].similarity if len(hits) > 1 else retrieval.MIN_SIMILARITY
    return best + LEAD_WEIGHT * (best - runner_up)


def record(workspace: Workspace, question: str, answer: Reply):
    from frontline.assistant.models import BotTurn

    return BotTurn.objects.create(
        workspace=workspace, question=question[:1000], kind=answer.kind, reason=answer.reason,
        confidence=answer.confidence, article=answer.citation,
        outcome=BotTurn.Outcome.HANDED_OVER if answer.kind == "handover" else BotTurn.Outcome.OPEN,
    )  # fmt: skip


def settle(turn, *, helped: bool) -> None:
    """The customer's verdict on an answer: it helped (resolved) or they want a person."""
    from frontline.assistant.models import BotTurn

    if turn.outcome != BotTurn.Outcome.OPEN:
        return
    turn.outcome = BotTurn.Outcome.RESOLVED if helped else BotTurn.Outcome.HANDED_OVER
    turn.save(update_fields=["outcome"])


def rates(workspace: Workspace, since) -> dict:
    """Resolution (confirmed, and assumed: answered and never came back) and handover."""
    from django.db.models import Count

    from frontline.assistant.models import BotTurn

    counts = dict(
        BotTurn.objects.filter(workspace=workspace, created_at__gte=since)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    total = sum(counts.values())

    def share(n):
        return round(100 * n / total, 1) if total else None

    return {
        "questions": total,
        "resolved": share(counts.get("resolved", 0)),
        "assumed": share(counts.get("open", 0)),
        "handed_over": share(counts.get("handed_over", 0)),
    }
