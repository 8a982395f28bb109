"""The help center's search understands questions: keyword and meaning, fused."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.knowledge import demo, retrieval
from frontline.knowledge.models import Passage
from frontline.knowledge.plain import to_plain
from frontline.testing.personas import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kb(workspace, agent):
    demo.seed(workspace, agent)
    run_tasks()  # the worker splits and embeds the articles
    return workspace


def titles(hits):
    return [h.article.title for h in hits]


def test_a_question_in_other_words_finds_the_article(kb):
    assert Passage.objects.filter(workspace=kb).count() >= 8
    hits = retrieval.search(kb, "the parcel with my plastic never showed up")
    assert titles(hits)[0] == "My new card has not arrived"
    hits = retrieval.search(kb, "why was my payment refused at the shop")
    assert titles(hits)[0] == "My card was declined"
    hits = retrieval.search(kb, "money went to the wrong person by mistake")
    assert titles(hits)[0] == "I sent money to the wrong account"
    # Each hit carries its best section (heading and text, read plainly) for the snippet.
    late = retrieval.search(kb, "my card is late, what now?")[0]
    assert late.article.title == "My new card has not arrived"
    sections = {heading: text for heading, text in retrieval.split(late.article)}
    assert late.passage == to_plain(sections[late.heading]) and late.similarity > 0.3


def test_answers_read_plainly_without_markdown_signs(workspace, agent):
    from frontline.assistant import virtual_agent
    from frontline.knowledge import services

    body = (
        "Freeze the card in the app under **Cards → Freeze**, then\n"
        "[order a new one](/support/acme/articles/order/).\n\n"
        "- It is free\n- It arrives in *3 days*\n\n| Card | Fee |\n|---|---|\n| First | free |"
    )
    assert to_plain(body) == (
        "Freeze the card in the app under Cards → Freeze, then order a new one "
        "(http://127.0.0.1:8000/support/acme/articles/order/).\n\n"
        "- It is free\n- It arrives in 3 days\n\nCard | Fee\nFirst | free"
    )
    services.create_article(
        workspace, by=agent, title="My card was stolen", body=body, status="published"
    )
    run_tasks()
    reply = virtual_agent.reply(workspace, "someone stole my card, what do I do?")
    assert reply.kind == "answer" and "Cards → Freeze" in reply.text
    assert "**" not in reply.text and "](" not in reply.text


def test_off_topic_questions_find_nothing_and_the_page_offers_a_request(kb):
    assert retrieval.search(kb, "recipe for banana bread with walnuts") == []
    page = Client().get(reverse("hc_home", args=[kb.slug]) + "?q=banana+bread+recipe")
    assert "No article matches" in page.content.decode()


def test_suggestions_while_typing(kb):
    r = Client().get(reverse("hc_suggest", args=[kb.slug]) + "?q=transfer+pending")
    assert "How long does a transfer take?" in r.content.decode()
    assert Client().get(reverse("hc_suggest", args=[kb.slug]) + "?q=tr").content.strip() == b""


def test_searches_that_found_nothing_show_as_content_gaps(kb, agent, viewer):
    from frontline.testing.personas import signed_in

    for q in ("Banana bread recipe", "banana  bread recipe", "card not arrived"):
        Client().get(reverse("hc_home", args=[kb.slug]), {"q": q})
    page = signed_in(agent).get(reverse("kb_gaps", args=[kb.slug])).content.decode()
    assert "<td>banana bread recipe</td><td>2</td>" in page
    assert "card not arrived" not in page
    assert signed_in(viewer).get(reverse("kb_gaps", args=[kb.slug])).status_code == 403


def test_an_article_page_lists_related_articles_only_published_and_public(kb, agent):
    from frontline.knowledge import services
    from frontline.knowledge.models import Article

    card = Article.objects.get(workspace=kb, title="My new card has not arrived")
    public = services.public_articles(kb)
    related = retrieval.related(card, public)
    assert related[0].title == "My card was declined"  # another card article comes first
    assert card not in related and len(related) <= 3
    assert all(a.status == "published" and a.visibility == "public" for a in related)
    # A draft about the same thing is not offered to customers.
    draft = services.create_article(
        kb, by=agent, title="Where is my new card?", status="draft",
        body="Your new card is on its way and has not arrived yet: cards take 5 days.",
    )  # fmt: skip
    retrieval.index(draft)
    assert draft in retrieval.related(card, Article.objects.filter(workspace=kb))
    assert draft not in retrieval.related(card, public)
    page = Client().get(reverse("hc_article", args=[kb.slug, card.slug])).content.decode()
    assert "Related articles" in page and "My card was declined" in page
    assert "Where is my new card?" not in page
