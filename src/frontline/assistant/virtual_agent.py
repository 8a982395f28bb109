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
from frontline.assistant import bot_voice
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
    phrase: str = ""  # the bot_voice phrase of `text` (empty: the article's words)

    @property
    def citation(self):
        return self.hits[0].article if self.kind == "answer" and self.hits else None


NOT_SURE = bot_voice.say("friendly", "not_sure")
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
    """The reply and the reading behind it, in the workspace's tone; the answer threshold
    is the workspace's own unless `answer_at` is given."""
    from frontline.assistant.services import settings_for

    config = settings_for(workspace.pk)
    if thresholds.get("answer_at") is None and config.bot_answer_at is not None:
        thresholds["answer_at"] = config.bot_answer_at
    decided, reading = _answer(workspace, question, **thresholds)
    if decided.phrase:
        decided.text = bot_voice.say(config.bot_tone, decided.phrase, **_titles(decided))
    return decided, reading


def _titles(decided: Reply) -> dict:
    if decided.phrase != "clarify":
        return {}
    return {"a": decided.hits[0].article.title, "b": decided.hits[1].article.title}


def _answer(workspace: Workspace, question: str, **thresholds) -> tuple[Reply, Reading | None]:
    question = (question or "").strip()[:1000]
    if len(re.findall(r"\w+", question)) < 2:
        return Reply("clarify", "", phrase="more_detail"), None
    if _PERSON.search(question):
        return Reply("handover", "", "asked for a person", phrase="asked_person"), None
    tone = read_tone(question)
    if tone.frustrated:
        reason = "upset: " + ", ".join(tone.signals)
        return Reply("handover", "", reason, phrase="upset"), None
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
            text = bot_voice.say("friendly", "always_human")
            return Reply("handover", text, reason, reading.intent_confidence,
                         phrase="always_human")  # fmt: skip
        if sure and found is not None:
            if found.similarity is None or found.similarity >= support_at:
                reason = f"intent {reading.intent}"
                return Reply("answer", found.passage, reason, reading.intent_confidence, [found])
            return Reply("handover", NOT_SURE, f"intent {reading.intent}: the article does "
                         "not fit the question", reading.intent_confidence, [found],
                         "not_sure")  # fmt: skip
        if sure:  # it is about this intent: an article tied to another is not the answer
            hits = [h for h in hits if h.article.intent in ("", reading.intent)]
    best = hits[0].similarity if hits else None
    confidence = _confidence(hits)
    if confidence is None or confidence < answer_at:
        return Reply("handover", NOT_SURE, "not sure" if hits else "no article about it",
                     confidence, hits, "not_sure")  # fmt: skip
    if (
        len(hits) > 1
        and hits[1].article.pk != hits[0].article.pk
        and (best - hits[1].similarity < CLOSE)
    ):
        titles = {"a": hits[0].article.title, "b": hits[1].article.title}
        text = bot_voice.say("friendly", "clarify", **titles)
        return Reply("clarify", text, "two close answers", confidence, hits[:2], "clarify")
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


def record(workspace: Workspace, question: str, answer: Reply, *, channel="help_center",
           ticket=None):  # fmt: skip
    from frontline.assistant.models import BotTurn

    return BotTurn.objects.create(
        workspace=workspace, question=question[:1000], kind=answer.kind, reason=answer.reason,
        confidence=answer.confidence, article=answer.citation, channel=channel, ticket=ticket,
        outcome=BotTurn.Outcome.HANDED_OVER if answer.kind == "handover" else BotTurn.Outcome.OPEN,
    )  # fmt: skip


def settle(turn, *, helped: bool) -> bool:
    """The customer's verdict on an answer: it helped (resolved) or it did not (a person
    takes over). Only the first verdict counts; returns whether this one did."""
    from frontline.assistant.models import BotTurn

    if turn.outcome != BotTurn.Outcome.OPEN:
        return False
    turn.outcome = BotTurn.Outcome.RESOLVED if helped else BotTurn.Outcome.HANDED_OVER
    turn.helped = helped if turn.kind == "answer" else None
    turn.save(update_fields=["outcome", "helped"])
    return True


def on_duty(workspace: Workspace, channel: str, *, chat_on: bool = True) -> bool:
    """Whether the virtual agent answers on this channel now: the channel's switch (the
    chat's own is `chat_on`) and the business-hours rule."""
    from frontline.accounts import business_hours
    from frontline.assistant.models import AssistantSettings
    from frontline.assistant.services import settings_for
    from frontline.lib import clock

    config = settings_for(workspace.pk)
    switch = {
        "chat": chat_on,
        "help_center": config.bot_help_center,
        "email": config.bot_email == AssistantSettings.EmailMode.ANSWER,
    }[channel]
    if not switch or config.bot_hours == AssistantSettings.Hours.ALWAYS:
        return switch
    open_now = business_hours.is_open(workspace.business_hours, workspace.time_zone, clock.now())
    return open_now == (config.bot_hours == AssistantSettings.Hours.INSIDE)


# What a customer writes after an answer, read as a verdict on it rather than a new
# question ("that didn't help", "yes thanks").
_NO = re.compile(
    r"^\W*(no+|nope|not really|(that|it|this)\s+(did ?n[o']?t|does ?n[o']?t|does not|did not)"
    r"\s+(help|work|answer)|not (helpful|what i (asked|meant|need(ed)?))|wrong( answer)?)\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^\W*(yes|yep|yeah|thanks?|thank you|thx|great|perfect|(that|it) (helped|worked)|"
    r"got it|ok(ay)? thanks?)\W*(\w+\W*){0,4}$",
    re.IGNORECASE,
)


def verdict_in(text: str) -> bool | None:
    """True for "yes, thanks", False for "no, that did not help", None for anything else
    (a new question)."""
    text = text.strip()
    if _NO.search(text) and len(text) < 80:
        return False
    if _YES.match(text):
        return True
    return None


RETRY_GAP = 0.08  # a second answer only from an article nearly as close as the first


def second_try(workspace: Workspace, turn) -> Reply | None:
    """After "that did not help": the answer from another article, if it was nearly as
    close to the question as the rejected one and close enough on its own; None means a
    person should take over."""
    if turn.kind != "answer" or turn.reason.startswith("second try") or turn.article_id is None:
        return None
    from frontline.assistant.services import settings_for

    answer_at = settings_for(workspace.pk).bot_answer_at or ANSWER_AT
    return pick_second(read(workspace, turn.question), turn.article_id, answer_at)


def pick_second(reading: Reading, rejected: int, answer_at: float) -> Reply | None:
    first = next((h for h in reading.hits if h.article.pk == rejected), None)
    others = [
        h for h in reading.hits
        if h.article.pk != rejected
        and (not reading.intent_sure or h.article.intent in ("", reading.intent))
    ]  # fmt: skip
    if first is None or not others:
        return None
    alternative = others[0]
    if alternative.similarity < answer_at or first.similarity - alternative.similarity > RETRY_GAP:
        return None
    return Reply("answer", alternative.passage, "second try", alternative.similarity, [alternative])


_ORDINALS = {"first": 0, "1": 0, "one": 0, "former": 0, "second": 1, "2": 1, "two": 1,
             "latter": 1, "other": 1}  # fmt: skip


def choose(workspace: Workspace, turn, text: str) -> Reply | None:
    """The customer's reply to "Do you mean A or B?": the answer from the article they
    picked (by words of its title, or "the first"/"the second"), None if unclear."""
    if turn.kind != "clarify" or turn.reason != "two close answers":
        return None
    reading = read(workspace, turn.question)
    articles = []
    for hit in reading.hits:
        if hit.article.pk not in [a.article.pk for a in articles]:
            articles.append(hit)
    if len(articles) < 2:
        return None
    options = articles[:2]
    words = set(re.findall(r"\w+", text.lower()))
    scores = [len(words & _title_words(h.article.title)) for h in options]
    if scores[0] != scores[1]:
        picked = options[scores.index(max(scores))]
    else:
        picks = {_ORDINALS[w] for w in words if w in _ORDINALS}
        if len(picks) != 1:
            return None
        picked = options[picks.pop()]
    return Reply("answer", picked.passage, "chosen from two", picked.similarity, [picked])


_STOP = {"a", "an", "the", "my", "i", "to", "of", "and", "or", "is", "in", "on", "for", "how",
         "what", "why", "do", "does", "can", "it", "with", "your", "you", "not", "no", "has",
         "have", "was", "be", "this", "that", "me", "at", "by", "from"}  # fmt: skip


def _title_words(title: str) -> set[str]:
    return set(re.findall(r"\w+", title.lower())) - _STOP
