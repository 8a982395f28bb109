"""The virtual agent in a conversation: it reads "thanks" and "that didn't help" as a
verdict on its last answer, takes the visitor's pick after asking which article they
mean, speaks in the workspace's tone, and keeps to its channels and hours."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from frontline.accounts import presence
from frontline.assistant import bot_report, virtual_agent
from frontline.assistant.models import BotTurn
from frontline.assistant.services import settings_for as assistant_settings
from frontline.chat import protocol, services
from frontline.chat.models import ChatSession
from frontline.knowledge import demo
from frontline.lib import clock
from frontline.testing.personas import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)
State = ChatSession.State


@pytest.fixture
def chat(workspace, agent, fresh_rate_limits):
    demo.seed(workspace, agent)
    run_tasks()
    return services.settings_for(workspace)


def say(current, session, **command):
    return protocol.handle(current, session, command, ip="203.0.113.9")


def bot_lines(session):
    return [m["text"] for m in services.history(session) if m["author"] == "bot"]


def test_thanks_after_an_answer_confirms_it_and_is_not_a_new_question(chat, workspace):
    session = say(chat, None, type="start").session
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    say(chat, session, type="message", text="Yes thanks, that worked!")
    turn = BotTurn.objects.get()  # one question, one turn: the thanks was not asked
    assert (turn.outcome, turn.helped, turn.channel) == ("resolved", True, "chat")
    assert turn.ticket_id == session.ticket_id
    assert bot_lines(session)[-1].startswith("Glad it helped")
    session.refresh_from_db()
    assert session.state == State.BOT


def test_that_did_not_help_hands_over_with_the_reason_when_no_other_article_is_close(chat, agent):
    presence.mark_online(chat.workspace_id, agent.pk)
    session = say(chat, None, type="start").session
    say(chat, session, type="message", text="my card has not come yet")
    say(chat, session, type="message", text="no, that didn't help")
    turn = BotTurn.objects.get()
    assert (turn.outcome, turn.helped) == ("handed_over", False)
    assert "did not help" in bot_lines(session)[-1]
    session.refresh_from_db()
    assert session.state == State.ACTIVE and session.ticket.assignee == agent
    assert session.handover_reason == "the answer did not help"
    report = bot_report.report(chat.workspace, clock.now() - timedelta(hours=1))
    assert report["reasons"] == [("the answer did not help", 1)]
    assert report["precision"] == 0.0 and report["involvement"] == 100.0


def test_a_second_answer_only_from_an_article_nearly_as_close():
    def hit(pk, similarity, intent=""):
        article = SimpleNamespace(pk=pk, title=f"A{pk}", intent=intent)
        return SimpleNamespace(article=article, similarity=similarity, passage=f"text {pk}")

    close = virtual_agent.Reading([hit(1, 0.75), hit(2, 0.70), hit(3, 0.5)])
    second = virtual_agent.pick_second(close, rejected=1, answer_at=0.6)
    assert (second.kind, second.text, second.reason) == ("answer", "text 2", "second try")
    far = virtual_agent.Reading([hit(1, 0.9), hit(2, 0.7)])
    assert virtual_agent.pick_second(far, rejected=1, answer_at=0.6) is None  # too far behind
    weak = virtual_agent.Reading([hit(1, 0.6), hit(2, 0.55)])
    assert virtual_agent.pick_second(weak, rejected=1, answer_at=0.6) is None  # not sure enough
    other_intent = virtual_agent.Reading(
        [hit(1, 0.75, "refund"), hit(2, 0.74, "lost_card")], intent="refund", intent_sure=True
    )
    assert virtual_agent.pick_second(other_intent, rejected=1, answer_at=0.6) is None


def test_after_asking_which_article_the_visitors_pick_is_answered(chat, workspace):
    turn = BotTurn.objects.create(
        workspace=workspace, question="my card", kind="clarify", reason="two close answers",
        channel="chat",
    )  # fmt: skip
    reading = virtual_agent.read(workspace, turn.question)
    titles = list(dict.fromkeys(h.article.title for h in reading.hits))[:2]
    picked = virtual_agent.choose(workspace, turn, f"the {titles[1].lower()} one")
    assert picked.kind == "answer" and picked.citation.title == titles[1]
    assert virtual_agent.choose(workspace, turn, "the first").citation.title == titles[0]
    assert virtual_agent.choose(workspace, turn, "hmm not sure") is None


def test_the_tone_changes_what_the_agent_says_around_answers(chat, workspace):
    config = assistant_settings(workspace.pk)
    unsure = "Can I open a joint mortgage with my brother?"
    assert virtual_agent.reply(workspace, unsure).text.startswith("I am not sure")
    config.bot_tone = "formal"
    config.save()
    assert "transferring you to a member of our team" in virtual_agent.reply(workspace, unsure).text
    session = say(chat, None, type="start").session
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    assert "Source: our article “I forgot my PIN”." in bot_lines(session)[-1]


def test_channels_and_hours_decide_where_the_agent_answers(chat, workspace, agent):
    config = assistant_settings(workspace.pk)
    config.bot_help_center = False
    config.save()
    ask = reverse("hc_ask", args=[workspace.slug])
    assert Client().get(ask)["Location"].endswith(f"/support/{workspace.slug}/new/")
    home = Client().get(reverse("hc_home", args=[workspace.slug])).content.decode()
    assert "Ask our virtual assistant" not in home

    # Only outside business hours, and the business is open all week: chats go to people.
    workspace.business_hours = {d: [["00:00", "23:59"]] for d in
                                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}  # fmt: skip
    workspace.save()
    config.bot_hours = "outside"
    config.save()
    presence.mark_online(workspace.pk, agent.pk)
    session = say(chat, None, type="start").session
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    session.refresh_from_db()
    assert session.state == State.ACTIVE and not bot_lines(session)
    assert virtual_agent.on_duty(workspace, "chat") is False
    config.bot_hours = "inside"
    config.save()
    assert virtual_agent.on_duty(workspace, "chat") is True
