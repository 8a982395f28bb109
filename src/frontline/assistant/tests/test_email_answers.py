"""With "answer the customer first" on, a new email gets the knowledge base's answer by
email (threaded like any reply) and waits for the customer; their reply is the verdict
and brings a person in. Questions it is not sure about are left to the team."""

import pytest
from django.core import mail

from frontline.assistant.models import BotTurn
from frontline.assistant.services import settings_for
from frontline.email import inbound
from frontline.knowledge import demo
from frontline.testing.personas import run_tasks
from frontline.tickets.models import Message, Status

pytestmark = pytest.mark.django_db(transaction=True)

MAIL = """From: Dana Doe <dana@example.com>
To: support@frontline.test
Subject: {subject}
Message-ID: <{mid}@example.com>
{headers}Content-Type: text/plain; charset=utf-8

{body}
"""


def deliver(workspace, subject, body, mid, headers=""):
    raw = MAIL.format(subject=subject, body=body, mid=mid, headers=headers).encode()
    done = inbound.process(inbound.receive(workspace, raw).pk)
    run_tasks()  # the answer is written and emailed by the worker
    return done


@pytest.fixture
def kb(workspace, agent):
    demo.seed(workspace, agent)
    run_tasks()
    config = settings_for(workspace.pk)
    config.bot_email = "answer"
    config.save()
    mail.outbox.clear()
    return workspace


def test_a_new_email_gets_the_articles_answer_and_a_reply_is_the_verdict(kb):
    done = deliver(kb, "PIN", "I don't remember my pin, where can I see it?", "q1")
    ticket = done.ticket
    ticket.refresh_from_db()
    bot = ticket.messages.get(author_type=Message.Author.BOT)
    assert "I forgot my PIN" in bot.body_text and "/articles/i-forgot-my-pin/" in bot.body_text
    assert "reply to this email and a person" in bot.body_text
    assert ticket.status == Status.PENDING  # waiting for the customer, not for the team
    sent = [m for m in mail.outbox if "I forgot my PIN" in m.body]
    assert len(sent) == 1 and sent[0].to == ["dana@example.com"]
    assert sent[0].extra_headers["In-Reply-To"] == "<q1@example.com>"  # threaded
    turn = BotTurn.objects.get(ticket=ticket)
    assert (turn.channel, turn.kind, turn.outcome) == ("email", "answer", "open")

    deliver(kb, "Re: PIN", "No, I still cannot find it anywhere.", "q2",
            headers="In-Reply-To: <q1@example.com>\n")  # fmt: skip
    ticket.refresh_from_db()
    turn.refresh_from_db()
    assert ticket.status == Status.OPEN  # a person takes it from here
    assert (turn.outcome, turn.helped) == ("handed_over", False)


def test_an_unsure_question_is_left_to_the_team_and_suggest_mode_sends_nothing(kb):
    done = deliver(kb, "Boat", "Can I get a mortgage for my boat with my brother?", "q3")
    assert not done.ticket.messages.filter(author_type=Message.Author.BOT).exists()
    assert BotTurn.objects.get(ticket=done.ticket).kind == "handover"
    assert not [m for m in mail.outbox if "article" in m.body]

    config = settings_for(kb.pk)
    config.bot_email = "suggest"
    config.save()
    again = deliver(kb, "PIN", "I don't remember my pin, where can I see it?", "q4")
    assert not again.ticket.messages.filter(author_type=Message.Author.BOT).exists()
    assert again.ticket.status == Status.NEW
