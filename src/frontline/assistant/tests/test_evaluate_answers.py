"""`frontline assistant evaluate-answers` measures the virtual agent on Banking77 with a
knowledge base we wrote: it answers some questions with the right article, hands over
on questions whose article is missing, and leaves nothing behind."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from frontline.accounts.models import Workspace
from frontline.assistant.evaluation import answers
from frontline.knowledge.models import Article

pytestmark = pytest.mark.skipif(
    not answers.DEFAULT_DATA.is_file(), reason=f"no Banking77 CSV at {answers.DEFAULT_DATA}"
)


def test_every_intent_has_an_article_and_the_split_keeps_test_questions_apart():
    articles = answers.read_articles()
    messages = answers.read_messages()
    assert set(articles) == set(messages) and len(articles) == 77
    assert all(title and body.count(".") >= 2 for title, body in articles.values())
    missing, questions = answers.question_set(messages)
    assert len(missing) == answers.N_MISSING
    assert answers.question_set(messages) == (missing, questions)  # seeded
    tuning = {q.text for q in questions if q.part == "tuning"}
    test = {q.text for q in questions if q.part == "test"}
    assert tuning and test and not tuning & test
    unanswerable = {p: {q.intent for q in questions if q.part == p and not q.answerable}
                    for p in ("tuning", "test")}  # fmt: skip
    assert unanswerable["tuning"] and unanswerable["test"]
    assert not unanswerable["tuning"] & unanswerable["test"]  # whole topics held out


@pytest.mark.django_db
def test_the_command_reports_the_figures_and_the_agent_answers_and_hands_over():
    out = StringIO()
    # Similarity alone: two questions per intent are too few to train a triage model on.
    call_command(
        "assistant", "evaluate-answers", "--limit", "2", "--no-intents", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    test = report["test"]
    for key in ("precision", "coverage", "handover_unanswerable", "latency_p50_ms",
                "latency_p95_ms"):  # fmt: skip
        assert test[key] is not None
    assert test["answerable"] == 2 * 65 and test["unanswerable"] == 2 * 6
    assert test["correct"] > 0 and test["precision"] > 0.5  # right articles cited
    assert test["handover_unanswerable"] > 0  # and it hands over on missing ones
    assert report["curve_test"][0]["threshold"] == answers.GRID[0]
    # the throwaway workspace and its articles were rolled back
    assert not Workspace.objects.exists() and not Article.objects.exists()

    assert report["test_oracle"] is None  # only when asked for

    text = StringIO()
    call_command("assistant", "evaluate-answers", "--limit", "1", "--no-intents", stdout=text)
    assert "precision" in text.getvalue() and "p50 / p95" in text.getvalue()


@pytest.mark.django_db
def test_the_oracle_is_the_best_any_threshold_does_on_the_test_part():
    out = StringIO()
    call_command(
        "assistant", "evaluate-answers", "--limit", "3", "--no-intents", "--oracle", "--json",
        stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    best = report["test_oracle"]["test"]
    assert best["answered"] >= answers.MIN_ANSWERED
    # Similarity alone: the curve over the test part holds every threshold it could pick.
    others = [row for row in report["curve_test"] if row["answered"] >= answers.MIN_ANSWERED
              and row["threshold"] in answers.ANSWER_GRID]  # fmt: skip
    assert others and all(answers.rank(row) <= answers.rank(best) for row in others)
    if report["test"]["answered"] >= answers.MIN_ANSWERED:  # the tuning part's choice
        assert answers.rank(report["test"]) <= answers.rank(best)


def test_with_known_topics_the_model_sees_some_of_each_missing_intent_but_asks_the_rest():
    messages = answers.read_messages()
    missing, questions = answers.question_set(messages, known_topics=True)
    assert missing == answers.question_set(messages)[0]  # the same articles are missing
    seen = [q for q in questions if q.part == "model"]
    asked = [q for q in questions if q.part != "model"]
    assert {q.intent for q in seen} == set(missing)
    assert not {q.text for q in seen} & {q.text for q in asked}  # never asked what it saw
    for intent in missing:
        n_seen = sum(q.intent == intent for q in seen)
        n_asked = sum(q.intent == intent for q in asked)
        assert n_seen == len(messages[intent]) // 3 and n_asked == len(messages[intent]) - n_seen
    with pytest.raises(ValueError, match="triage model"):
        answers.evaluate(known_topics=True, by_intent=False, limit=1)
