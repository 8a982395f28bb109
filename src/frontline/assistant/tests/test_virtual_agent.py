"""The virtual agent answers from the articles with their source, and hands over when it
is not sure, when asked for a person, or when the customer is upset. It never makes up
an answer."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.assistant import virtual_agent
from frontline.assistant.models import BotTurn
from frontline.knowledge import demo
from frontline.knowledge.plain import to_plain
from frontline.testing.personas import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kb(workspace, agent):
    demo.seed(workspace, agent)
    run_tasks()
    return workspace


def test_an_answer_is_a_passage_of_an_article_with_its_source(kb):
    reply = virtual_agent.reply(kb, "I don't remember my pin, where can I see it?")
    assert reply.kind == "answer" and reply.citation.title == "I forgot my PIN"
    # Extractive: the article's own words (read plainly, without Markdown signs).
    assert reply.text in to_plain(reply.citation.body)
    assert reply.confidence >= virtual_agent.ANSWER_AT


def test_it_hands_over_when_unsure_asked_or_the_customer_is_upset(kb):
    unsure = virtual_agent.reply(kb, "Can I open a joint mortgage with my brother?")
    assert unsure.kind == "handover" and unsure.reason in ("not sure", "no article about it")
    person = virtual_agent.reply(kb, "I want to speak with a real person about my card")
    assert (person.kind, person.reason) == ("handover", "asked for a person")
    upset = virtual_agent.reply(kb, "THIS IS RIDICULOUS, I AM CLOSING MY ACCOUNT!!!")
    assert upset.kind == "handover" and upset.reason.startswith("upset")
    assert virtual_agent.reply(kb, "card").kind == "clarify"  # too little to go on


def test_the_help_center_page_records_outcomes_and_hands_over_with_the_question(kb, agent):
    customer = Client()
    page = customer.post(
        reverse("hc_ask", args=[kb.slug]), {"question": "I don't remember my pin"}
    ).content.decode()
    assert "I forgot my PIN" in page and "Did this answer your question?" in page
    turn = BotTurn.objects.get()
    r = customer.post(reverse("hc_ask_outcome", args=[kb.slug, turn.pk]), {"helped": "no"})
    assert r.status_code == 302 and "/new/?subject=I+don" in r["Location"]
    form = customer.get(r["Location"]).content.decode()
    assert "I don&#x27;t remember my pin" in form  # the request form is filled in
    turn.refresh_from_db()
    assert turn.outcome == "handed_over"
    # Sending the request ties the question to the new ticket, for the agent who takes it.
    sent = customer.post(r["Location"].split("?")[0], {
        "name": "Dee", "email": "dee@example.com", "subject": "I don't remember my pin",
        "body": "I don't remember my pin",
    })  # fmt: skip
    assert sent.status_code == 302, sent.content.decode()[:500]
    turn.refresh_from_db()
    assert turn.ticket is not None and turn.ticket.requester.email == "dee@example.com"
    from frontline.testing.personas import signed_in

    page = signed_in(agent).get(reverse("ticket", args=[kb.slug, turn.ticket.number]))
    assert "What the virtual agent tried (1)" in page.content.decode()
    assert ": it did not help" in page.content.decode()

    customer.post(
        reverse("hc_ask", args=[kb.slug]), {"question": "money went to the wrong person by mistake"}
    )
    second = BotTurn.objects.latest("id")
    customer.post(reverse("hc_ask_outcome", args=[kb.slug, second.pk]), {"helped": "yes"})
    customer.post(
        reverse("hc_ask", args=[kb.slug]), {"question": "why was my payment refused at the shop"}
    )
    from datetime import timedelta

    from frontline.assistant import bot_report
    from frontline.lib import clock

    report = bot_report.report(kb, clock.now() - timedelta(days=1))
    assert report["conversations"] == 3 and report["rates"] == {
        "resolved": 33.3, "assumed": 33.3, "handed_over": 33.3, "abandoned": 0.0,
    }  # fmt: skip
    assert report["precision"] == 50.0 and report["verdicts"] == 2
    assert report["reasons"] == [("the answer did not help", 1)]


@pytest.fixture
def trained(workspace, admin, customer):
    """Past tickets labelled by agents, a triage model trained on them, and articles tied
    to two of its intents (and one tied to none)."""
    from frontline.assistant import services
    from frontline.assistant.tests.examples import INTENTS, dataset
    from frontline.knowledge import retrieval
    from frontline.knowledge import services as knowledge
    from frontline.tickets import services as tickets
    from frontline.tickets.events import Actor

    tickets.create_custom_field(
        workspace, by=Actor.of(admin), key="intent", label="Intent", type="select",
        choices=sorted(INTENTS),
    )  # fmt: skip
    for text, intent in dataset():
        tickets.create_ticket(
            workspace, by=Actor.of(customer), subject=text, body=text, requester=customer,
            custom_fields={"intent": intent},
        )  # fmt: skip
    assert services.train(workspace, by=admin).state == "active"
    for title, body, intent in (
        ("Lost or stolen card", "Block the card in the app at once.\n\nWe send a new one.",
         "lost_card"),
        ("Refunds", "A refund shows after 5 working days.\n\nAsk the shop first.", "refund"),
        ("Branch opening hours", "Our branches open from 9 to 5 on weekdays.", ""),
    ):  # fmt: skip
        article = knowledge.create_article(
            workspace, by=admin, title=title, body=body, intent=intent, status="published"
        )
        retrieval.index(article)
    return workspace


def test_a_question_of_a_known_intent_is_answered_from_that_intents_article(trained):
    reply = virtual_agent.reply(trained, "someone took my debit card yesterday, what do I do")
    assert reply.kind == "answer" and reply.citation.title == "Lost or stolen card"
    assert reply.reason == "intent lost_card" and reply.text in to_plain(reply.citation.body)
    # Recognised as a password question: no article answers it, and the articles tied to
    # other intents are not offered instead.
    other = virtual_agent.reply(trained, "I forgot my passcode and cannot sign in")
    assert other.kind == "handover"
    assert all(h.article.intent in ("", "password_reset") for h in other.hits)


def test_intents_kept_for_people_are_never_answered_by_the_agent(trained, admin, agent):
    from frontline.testing.personas import signed_in

    url = reverse("assistant_rules", args=[trained.slug])
    rows = {"intent": ["lost_card", "refund"], "team": ["", ""], "priority": ["", "high"],
            "tags": ["", ""]}  # fmt: skip
    assert signed_in(agent).post(url, rows | {"human": ["lost_card"]}).status_code == 403
    signed_in(admin).post(url, rows | {"human": ["lost_card"]})
    reply = virtual_agent.reply(trained, "someone took my debit card yesterday, what do I do")
    assert reply.kind == "handover" and reply.reason == "intent lost_card: always a person"
    page = signed_in(admin).get(reverse("assistant", args=[trained.slug])).content.decode()
    assert 'name="human" value="lost_card" checked' in page
    # Unticked again: the agent answers from the article once more.
    signed_in(admin).post(url, rows)
    assert virtual_agent.reply(trained, "someone took my debit card yesterday").kind == "answer"


def test_the_console_shows_the_answer_and_what_is_behind_it(trained, agent, viewer, stranger):
    from frontline.assistant.models import BotTurn
    from frontline.testing.personas import signed_in

    url = reverse("kb_console", args=[trained.slug])
    page = signed_in(agent).get(url, {"q": "someone took my debit card yesterday"})
    html = page.content.decode()
    assert "It would answer" in html and "Lost or stolen card" in html
    assert "<strong>lost_card</strong>" in html and "(sure)" in html
    assert "Passages found" in html
    assert not BotTurn.objects.exists()  # trying is not a customer's question
    assert signed_in(viewer).get(url, {"q": "x y"}).status_code == 403
    assert signed_in(stranger).get(url, {"q": "x y"}).status_code == 404


def test_an_email_ticket_shows_the_knowledge_base_answer_for_the_agent_to_send(kb, agent):
    from frontline.testing.personas import signed_in
    from frontline.tickets import services as tickets
    from frontline.tickets.events import Actor
    from frontline.tickets.models import Customer

    customer = Customer.objects.create(workspace=kb, name="Eli", email="eli@example.com")

    def page_of(text, channel):
        ticket = tickets.create_ticket(
            kb, by=Actor.of(customer), subject=text, body=text, requester=customer,
            channel=channel,
        )  # fmt: skip
        url = reverse("ticket", args=[kb.slug, ticket.number])
        return signed_in(agent).get(url).content.decode()

    page = page_of("I don't remember my pin, where can I see it?", "email")
    assert "Answer from the knowledge base" in page and "I forgot my PIN" in page
    assert "Use this answer" in page and "More in our help center" in page
    assert "Answer from the knowledge base" not in page_of("mortgage for my boat?", "email")
    chat = page_of("I don't remember my pin, where can I see it?", "chat")
    assert "Answer from the knowledge base" not in chat  # the chat has the agent live


def test_agents_see_the_teams_internal_articles_about_a_ticket_never_customers(kb, agent, customer):
    from frontline.knowledge import services as knowledge
    from frontline.testing.personas import signed_in
    from frontline.tickets import services as tickets
    from frontline.tickets.events import Actor

    knowledge.create_article(
        kb, by=agent, title="Fraud playbook: stolen cards", status="published",
        visibility="internal",
        body="When a customer's card was stolen, freeze the card at once, then check the "
        "last payments with them and file a fraud case.",
    )  # fmt: skip
    run_tasks()  # the worker embeds it
    ticket = tickets.create_ticket(
        kb, by=Actor.of(customer), subject="Stolen card", requester=customer,
        body="Someone stole my card from my bag this morning, what should I do?",
    )  # fmt: skip
    page = signed_in(agent).get(reverse("ticket", args=[kb.slug, ticket.number]))
    html = page.content.decode()
    assert "The team's internal articles" in html
    assert "Fraud playbook: stolen cards</a>" in html
    # The help center and the virtual agent never show it.
    assert (
        "Fraud playbook"
        not in Client()
        .get(reverse("hc_home", args=[kb.slug]), {"q": "stolen card"})
        .content.decode()
    )
    reply = virtual_agent.reply(kb, "Someone stole my card, what should I do?")
    assert reply.citation is None or reply.citation.visibility == "public"
