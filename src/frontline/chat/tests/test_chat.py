"""Live chat as visitors and agents live it: the virtual agent first, an honest
hand-over to a person with room for it, a place in line, or an answer by email."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from frontline.accounts import presence
from frontline.chat import protocol, services
from frontline.chat.models import ChatSession
from frontline.email.models import MessageEmail
from frontline.feedback.models import Rating
from frontline.knowledge import demo
from frontline.testing.personas import make_user, run_tasks, signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Channel, Event, Status

pytestmark = pytest.mark.django_db(transaction=True)
State = ChatSession.State


@pytest.fixture
def kb(workspace, agent, fresh_rate_limits):
    demo.seed(workspace, agent)
    run_tasks()  # the worker splits and embeds the articles
    return workspace


@pytest.fixture
def chat(kb):
    return services.settings_for(kb)


def say(current, session, **command):
    return protocol.handle(current, session, command, ip="203.0.113.9")


def visitor(current, **details):
    return say(current, None, type="start", **details).session


def test_the_virtual_agent_answers_first_with_its_source(chat, workspace):
    session = visitor(chat, name="Ada")
    out = say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    assert out.events[0]["kind"] == "ack"
    session.refresh_from_db()
    ticket = session.ticket
    assert ticket.channel == Channel.CHAT and ticket.requester.name == "Ada"
    said = services.history(session)
    assert [m["author"] for m in said] == ["visitor", "bot"]
    answer = said[1]
    assert answer["answer"] is True and answer["citation"]["title"] == "I forgot my PIN"
    assert answer["citation"]["url"].endswith(
        f"/support/{workspace.slug}/articles/i-forgot-my-pin/"
    )
    assert session.state == State.BOT


def test_an_answer_that_did_not_help_goes_to_an_online_agent_with_room(chat, agent, agent2):
    presence.mark_online(chat.workspace_id, agent2.pk)
    session = visitor(chat)
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    session.refresh_from_db()
    turn = services.history(session)[1]["turn"]
    say(chat, session, type="verdict", turn=turn, helped=False)
    session.refresh_from_db()
    assert session.state == State.ACTIVE and session.ticket.assignee == agent2
    assert session.handover_reason == "the answer did not help"
    assert Event.objects.filter(ticket=session.ticket, kind="chat.handover").exists()
    # The agent who takes it sees what the virtual agent tried and how it went.
    page = (
        signed_in(agent2)
        .get(reverse("ticket", args=[chat.workspace.slug, session.ticket.number]))
        .content.decode()
    )
    assert "What the virtual agent tried (1)" in page
    assert "<q>I don&#x27;t remember my pin, where can I see it?</q>" in page
    assert "I forgot my PIN</a>" in page and ": it did not help" in page
    # The agent's reply is said in the chat, not emailed.
    tickets.reply(session.ticket, by=Actor.of(agent2), body="Hi, I can help with that.")
    assert services.history(session)[-1] | {"at": ""} == services.history(session)[-1] | {
        "author": "agent",
        "name": agent2.display_name,
        "at": "",
    }
    assert not MessageEmail.objects.exists()


def test_asking_for_a_person_while_all_agents_are_busy_waits_in_line(chat, agent, agent2):
    chat.capacity = 1
    chat.save()
    presence.mark_online(chat.workspace_id, agent.pk)
    first, second = visitor(chat), visitor(chat)
    for s in (first, second):
        say(chat, s, type="message", text="I want to talk to a real person please")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.ACTIVE and first.ticket.assignee == agent
    assert second.state == State.WAITING
    assert services.state_of(second)["position"] == 1
    # The first chat ends: the one in line goes to the agent now free.
    services.end(first, by=agent)
    second.refresh_from_db()
    assert second.state == State.ACTIVE and second.ticket.assignee == agent
    # A second agent coming online takes from the line too.
    third = visitor(chat)
    say(chat, third, type="message", text="Can I talk to a human?")
    third.refresh_from_db()
    assert third.state == State.WAITING
    presence.mark_online(chat.workspace_id, agent2.pk)
    third.refresh_from_db()
    assert third.state == State.ACTIVE and third.ticket.assignee == agent2


def test_with_nobody_online_the_chat_becomes_a_request_answered_by_email(chat, agent):
    session = visitor(chat, name="Bo")
    say(chat, session, type="message", text="Can I speak to someone about a mortgage?")
    session.refresh_from_db()
    assert session.state == State.OFFLINE
    assert services.state_of(session)["has_email"] is False
    say(chat, session, type="email", email="bo@example.com")
    session.refresh_from_db()
    assert session.ticket.requester.email == "bo@example.com"
    tickets.reply(session.ticket, by=Actor.of(agent), body="Yes: book a call with us.")
    run_tasks()
    (sent,) = [m for m in mail.outbox if m.to == ["bo@example.com"]]
    assert "book a call" in sent.body


def test_outside_business_hours_nobody_is_offered(chat, agent, workspace):
    workspace.business_hours = {"sun": [["00:00", "00:01"]]}
    workspace.save()
    presence.mark_online(workspace.pk, agent.pk)
    session = visitor(chat)
    say(chat, session, type="message", text="I need a person now")
    session.refresh_from_db()
    assert session.state == State.OFFLINE and session.ticket.assignee is None


def test_ending_the_chat_solves_it_and_the_rating_card_records_a_rating(chat, agent):
    presence.mark_online(chat.workspace_id, agent.pk)
    session = visitor(chat, email="cy@example.com")
    say(chat, session, type="message", text="Please get me a real person")
    session.refresh_from_db()
    tickets.reply(session.ticket, by=Actor.of(agent), body="Done, anything else?")
    assert say(chat, session, type="rate", score=5).events[0]["code"] == "not_ended"
    services.end(session, by=agent)
    session.refresh_from_db()
    assert session.state == State.ENDED and session.ticket.status == Status.SOLVED
    assert services._survey(session.ticket)["scale"][0][0] == 1
    say(chat, session, type="rate", score=5)
    rating = Rating.objects.get(ticket=session.ticket)
    assert (rating.score, rating.via, rating.agent) == (5, "chat", agent)
    # No "solved" email: the visitor was asked in the chat.
    run_tasks()
    assert not [m for m in mail.outbox if "cy@example.com" in m.to]


def test_bad_input_is_refused_with_a_reason_and_nothing_is_stored_twice(chat):
    session = visitor(chat)
    too_long = say(chat, session, type="message", text="x" * 2001).events[0]
    assert too_long["code"] == "invalid" and "2000" in too_long["message"]
    assert say(chat, session, type="nonsense").events[0]["code"] == "invalid"
    assert say(chat, session, type="read", up_to="abc").events[0]["code"] == "invalid"
    say(chat, session, type="message", text="<script>alert(1)</script> my card?")
    session.refresh_from_db()
    first = session.ticket.messages.order_by("id").first()
    assert "<script>" not in first.body_html and "&lt;script&gt;" in first.body_html
    answers = [say(chat, session, type="message", text=f"card question {i}") for i in range(25)]
    refused = [o.events[0] for o in answers if o.events[0]["kind"] == "error"]
    assert refused and refused[0]["code"] == "rate_limited"
    assert session.ticket.messages.filter(author_type="customer").count() == 1 + 25 - len(refused)


def test_a_message_sent_again_after_a_lost_answer_is_stored_and_answered_once(chat, client):
    url = reverse("chat_poll", args=[chat.key])
    hello = client.post(url, {"commands": [{"type": "start"}]}, content_type="application/json")
    token = next(e["token"] for e in hello.json()["events"] if e["kind"] == "hello")
    send = {"type": "message", "text": "my card has not arrived", "client_id": "m-1"}
    acks = []
    for _ in range(2):  # the first answer never reached the widget; it polls the same again
        events = client.post(
            url, {"token": token, "commands": [send]}, content_type="application/json"
        ).json()["events"]
        acks += [e for e in events if e["kind"] == "ack"]
    assert len(acks) == 2 and acks[0]["id"] == acks[1]["id"]  # the same message, acked
    session = ChatSession.objects.get()
    said = session.ticket.messages.order_by("id")
    assert [m.author_type for m in said] == ["customer", "bot"]  # one question, one answer
    # Over the socket too, and a new message id is a new message.
    assert say(chat, session, **send).events[0]["id"] == acks[0]["id"]
    say(chat, session, type="message", text="my card has not arrived", client_id="m-2")
    assert session.ticket.messages.filter(author_type="customer").count() == 2


def test_asking_for_a_person_after_a_question_back_is_a_handover_in_the_report(chat, agent):
    from datetime import timedelta

    from frontline.assistant import bot_report
    from frontline.assistant.models import BotTurn
    from frontline.chat.models import BotReply
    from frontline.lib import clock
    from frontline.tickets.events import BOT

    session = visitor(chat)
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    session.refresh_from_db()
    assert session.state == State.BOT
    # The virtual agent's next turn was a question back ("do you mean A or B?").
    clarify = BotTurn.objects.create(
        workspace=session.workspace, ticket=session.ticket, channel="chat", kind="clarify",
        question="my pin", reason="two close answers",
    )  # fmt: skip
    asked = tickets.reply(session.ticket, by=BOT, body="Do you mean A or B?")
    BotReply.objects.create(message=asked, turn=clarify, kind="clarify")
    say(chat, session, type="person")
    clarify.refresh_from_db()
    assert clarify.outcome == "handed_over" and clarify.reason == "asked for a person"
    report = bot_report.report(session.workspace, clock.now() - timedelta(days=1))
    assert report["counts"]["handed_over"] == 1 and report["counts"]["abandoned"] == 0
    assert report["reasons"][0][0] == "asked for a person"


def test_a_token_works_only_for_its_own_workspace(chat, other_workspace):
    session = visitor(chat)
    token = services.token_for(session)
    elsewhere = services.settings_for(other_workspace)
    out = say(elsewhere, None, type="hello", token=token)
    assert out.session is None and out.events[0]["code"] == "bad_token"
    assert say(chat, None, type="hello", token=token + "x").events[0]["code"] == "bad_token"
    assert say(chat, None, type="hello", token=token).session.pk == session.pk


def test_the_polling_fallback_speaks_the_same_protocol(chat, client):
    chat.allowed_origins = ["https://shop.example"]
    chat.save()
    url = reverse("chat_poll", args=[chat.key])
    first = client.post(
        url,
        {"commands": [{"type": "start"}, {"type": "message", "text": "card not arrived yet"}]},
        content_type="application/json",
        HTTP_ORIGIN="https://shop.example",
    )
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "https://shop.example"
    events = first.json()["events"]
    token = next(e["token"] for e in events if e["kind"] == "hello")
    kinds = [e["kind"] for e in events]
    assert "ack" in kinds and kinds.count("message") == 2  # theirs and the bot's answer
    later = client.post(
        url, {"token": token, "after": 10**9}, content_type="application/json"
    ).json()["events"]
    assert [e["kind"] for e in later] == ["state", "typing"]  # nobody types: typing false
    # After a reload (nothing seen yet) the widget learns again who it is talking to.
    reloaded = client.post(url, {"token": token}, content_type="application/json").json()
    hello = [e for e in reloaded["events"] if e["kind"] == "hello"]
    assert len(hello) == 1 and hello[0]["bot_name"] == chat.bot_name
    assert [e["kind"] for e in reloaded["events"]].count("message") == 2  # the history
    refused = client.post(
        url, {}, content_type="application/json", HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 403 and "may not use" in refused.json()["events"][0]["message"]
    assert (
        client.post(
            reverse("chat_poll", args=["nope"]), {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.post(url, "not json", content_type="application/json").status_code == 400


def test_agents_see_the_line_and_accept_transfer_and_end(
    chat, agent, agent2, viewer, stranger, monkeypatch
):
    from frontline.lib import realtime

    told = []
    monkeypatch.setattr(realtime, "tell_member", lambda ws, user, notice: told.append(user))
    session = visitor(chat, name="Dee")
    say(chat, session, type="message", text="I want a human")
    session.refresh_from_db()
    assert session.state == State.OFFLINE  # nobody online
    page = signed_in(agent).get(reverse("chats", args=[chat.workspace.slug]))
    assert page.status_code == 200 and "Dee" in page.content.decode()
    assert signed_in(stranger).get(reverse("chats", args=[chat.workspace.slug])).status_code == 404
    accept = reverse("chat_accept", args=[chat.workspace.slug, session.pk])
    assert signed_in(viewer).post(accept).status_code == 403
    assert signed_in(stranger).post(accept).status_code == 404
    signed_in(agent).post(accept)
    session.refresh_from_db()
    assert session.state == State.ACTIVE and session.ticket.assignee == agent
    ticket_page = signed_in(agent).get(
        reverse("ticket", args=[chat.workspace.slug, session.ticket.number])
    )
    assert (
        "Live chat" in ticket_page.content.decode()
        and "Transfer to" in ticket_page.content.decode()
    )
    taken = signed_in(agent2).post(accept, follow=True)
    assert "already in this chat" in taken.content.decode()
    # A colleague who is not online cannot be handed the visitor; once online, can.
    transfer = reverse("chat_transfer", args=[chat.workspace.slug, session.pk])
    assert f"disabled>{agent2.display_name} (offline)" in ticket_page.content.decode()
    refused = signed_in(agent).post(transfer, {"to": agent2.pk}, follow=True).content.decode()
    assert "cannot take it now (offline)" in refused
    session.refresh_from_db()
    assert session.ticket.assignee == agent
    presence.mark_online(chat.workspace_id, agent2.pk)
    signed_in(agent).post(transfer, {"to": agent2.pk})
    session.refresh_from_db()
    assert session.ticket.assignee == agent2 and told == [agent2.pk]  # who gets it is told
    signed_in(agent2).post(reverse("chat_end", args=[chat.workspace.slug, session.pk]))
    session.refresh_from_db()
    assert session.state == State.ENDED and session.ticket.status == Status.SOLVED


def test_admins_set_the_chat_up_and_others_cannot(chat, admin, agent):
    url = reverse("chat_settings", args=[chat.workspace.slug])
    assert signed_in(agent).get(url).status_code == 403
    page = signed_in(admin).get(url).content.decode()
    assert chat.key in page and "widget.js" in page
    bad = signed_in(admin).post(
        url, {"capacity": "3", "bot_name": "Bo", "allowed_origins": "shop.example"}
    )
    assert "is not a site address" in bad.content.decode()
    signed_in(admin).post(url, {
        "enabled": "on", "capacity": "5", "bot_name": "Penny", "greeting": "Hi!",
        "allowed_origins": "https://shop.example/\nhttps://shop.example",
    })  # fmt: skip
    chat.refresh_from_db()
    assert (chat.capacity, chat.bot_name, chat.bot_enabled) == (5, "Penny", False)
    assert chat.allowed_origins == ["https://shop.example"]
    old = chat.key
    signed_in(admin).post(reverse("chat_rotate_key", args=[chat.workspace.slug]))
    chat.refresh_from_db()
    assert chat.key != old
    with pytest.raises(Exception, match="does not exist"):
        services.by_key(old)


def test_without_the_virtual_agent_a_chat_goes_straight_to_a_person(chat, agent):
    chat.bot_enabled = False
    chat.save()
    presence.mark_online(chat.workspace_id, agent.pk)
    session = visitor(chat)
    say(chat, session, type="message", text="hello, my card is stuck")
    session.refresh_from_db()
    assert session.state == State.ACTIVE and session.ticket.assignee == agent
    assert [m["author"] for m in services.history(session)] == ["visitor"]


def test_a_second_member_of_another_workspace_never_gets_its_chats(chat, stranger, other_workspace):
    presence.mark_online(other_workspace.pk, stranger.pk)
    presence.mark_online(chat.workspace_id, stranger.pk)  # not a member here
    session = visitor(chat)
    say(chat, session, type="message", text="a person please")
    session.refresh_from_db()
    assert session.state == State.OFFLINE


def test_away_agents_get_no_chats(chat, agent, workspace):
    from frontline.accounts.models import Membership

    Membership.objects.filter(user=agent, workspace=workspace).update(is_available=False)
    presence.mark_online(workspace.pk, agent.pk)
    late = make_user(workspace, "late@acme.test", "agent")
    session = visitor(chat)
    say(chat, session, type="message", text="a person please")
    session.refresh_from_db()
    assert session.state == State.OFFLINE
    presence.mark_online(workspace.pk, late.pk)  # offline chats are not pulled back
    session.refresh_from_db()
    assert session.state == State.OFFLINE


def test_a_visitor_who_leaves_a_known_address_is_that_customer(chat, customer):
    session = visitor(chat)
    say(chat, session, type="message", text="A person please, about my card")
    say(chat, session, type="email", email=customer.email.upper())
    session.refresh_from_db()
    assert session.ticket.requester == customer and session.customer == customer
    assert customer.tickets.filter(channel=Channel.CHAT).count() == 1


def test_a_visitor_sends_a_file_and_only_their_conversation_can_fetch_it(chat, client, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    session = visitor(chat)
    say(chat, session, type="message", text="my card statement looks wrong")
    token = services.token_for(session)
    url = reverse("chat_upload", args=[chat.key])
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4\n" + b"x" * 200)
    answer = client.post(url, {"token": token, "file": pdf})
    assert answer.status_code == 200 and answer.json()["events"][0]["kind"] == "ack"
    session.refresh_from_db()
    sent = services.history(session)[-1]
    assert sent["author"] == "visitor" and sent["text"] == "Sent a file: statement.pdf"
    (file,) = sent["files"]
    assert file["name"] == "statement.pdf"
    download = client.get(file["url"].removeprefix(settings.FRONTLINE_BASE_URL))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    # The agent sees it on the ticket like any attachment.
    assert session.ticket.messages.last().attachments.get().filename == "statement.pdf"
    # A tampered link, or no conversation, gets nothing.
    assert client.get(reverse("chat_file", args=["nope"])).status_code == 404
    refused = client.post(url, {"token": "forged", "file": SimpleUploadedFile("a.txt", b"hi")})
    assert refused.status_code == 403
    with override_settings(FRONTLINE_MAX_ATTACHMENT_BYTES=10):
        big = client.post(url, {"token": token, "file": SimpleUploadedFile("b.txt", b"x" * 50)})
    assert big.status_code == 413 and "limit" in big.json()["events"][0]["message"]


def test_the_agent_a_chat_is_routed_to_hears_of_it_on_any_open_page(chat, agent, agent2):
    import asyncio

    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.db import connection

    from frontline.accounts.models import Membership
    from frontline.tickets.routing import websocket_urlpatterns

    chat.bot_enabled = False
    chat.save()
    Membership.objects.filter(user=agent2).update(is_available=False)  # away: gets none
    slug = chat.workspace.slug

    def page(user):
        comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/w/{slug}/")
        comm.scope["user"] = user
        return comm

    def visitor_asks():
        try:
            session = visitor(chat, name="Dee")
            say(chat, session, type="message", text="my card is stuck")
        finally:
            connection.close()

    async def heard(comm):
        got = []
        while not await comm.receive_nothing(1):
            got.append(await comm.receive_json_from())
        return got

    async def scenario():
        mine, theirs = page(agent), page(agent2)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await asyncio.to_thread(visitor_asks)
        result = await heard(mine), await heard(theirs)
        await mine.disconnect()
        await theirs.disconnect()
        return result

    mine, theirs = asyncio.run(asyncio.wait_for(scenario(), 30))
    session = ChatSession.objects.get()
    assert session.ticket.assignee == agent
    notices = [m for m in mine if m["kind"] == "notice"]
    assert len(notices) == 1 and notices[0]["text"] == "New chat from Dee: my card is stuck"
    assert notices[0]["url"] == reverse("ticket", args=[slug, session.ticket.number])
    assert theirs and all(m["kind"] == "change" for m in theirs)  # the list moves, no alert


def test_a_chat_its_agent_leaves_unanswered_is_passed_on_after_the_set_minutes(
    chat, agent, agent2, admin
):
    from datetime import timedelta

    from frontline.chat.tasks import reroute_unanswered_chats
    from frontline.lib import clock

    signed_in(admin).post(
        reverse("chat_settings", args=[chat.workspace.slug]),
        {"enabled": "on", "capacity": "3", "reroute_after": "2", "bot_name": "Bot",
         "greeting": "Hi"},
    )  # fmt: skip
    chat.refresh_from_db()
    assert chat.reroute_after == 2
    chat.bot_enabled = False
    chat.save()
    presence.mark_online(chat.workspace_id, agent.pk)
    session = visitor(chat, name="Dee")
    say(chat, session, type="message", text="my card is stuck")
    session.refresh_from_db()
    assert session.ticket.assignee == agent and session.routed
    presence.mark_online(chat.workspace_id, agent2.pk)
    assert reroute_unanswered_chats.call() == 0  # not yet: two minutes to answer
    ChatSession.objects.filter(pk=session.pk).update(accepted_at=clock.now() - timedelta(minutes=3))
    assert reroute_unanswered_chats.call() == 1
    session.refresh_from_db()
    assert session.ticket.assignee == agent2 and session.state == State.ACTIVE
    assert Event.objects.filter(ticket=session.ticket, kind="chat.rerouted").exists()
    # The new agent answers: the chat stays with them however long it goes on.
    tickets.reply(session.ticket, by=Actor.of(agent2), body="Hi Dee, I'm on it.")
    ChatSession.objects.filter(pk=session.pk).update(
        accepted_at=clock.now() - timedelta(minutes=30)
    )
    assert reroute_unanswered_chats.call() == 0
    session.refresh_from_db()
    assert session.ticket.assignee == agent2
    bad = signed_in(admin).post(
        reverse("chat_settings", args=[chat.workspace.slug]),
        {"enabled": "on", "capacity": "3", "reroute_after": "-1", "bot_name": "Bot"},
    )
    assert "from 0 to 60" in bad.content.decode()


def test_typing_shows_both_ways_over_the_polling_fallback(chat, agent, client):
    import asyncio

    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.db import connection

    from frontline.tickets.routing import websocket_urlpatterns

    url = reverse("chat_poll", args=[chat.key])

    def poll(**body):
        try:
            r = client.post(url, body, content_type="application/json")
            return r.json()["events"]
        finally:
            connection.close()

    first = poll(commands=[{"type": "start", "name": "Dee"}, {"type": "message", "text": "hi"}])
    token = next(e["token"] for e in first if e["kind"] == "hello")
    number = ChatSession.objects.get().ticket.number

    async def scenario():
        page = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), f"/ws/w/{chat.workspace.slug}/t/{number}/"
        )
        page.scope["user"] = agent
        assert (await page.connect())[0]
        await page.send_json_to({"presence": "typing"})  # the agent types a reply
        await asyncio.sleep(0.3)
        widget_sees = await asyncio.to_thread(poll, token=token, after=10**9)
        await asyncio.to_thread(poll, token=token, after=10**9,
                                commands=[{"type": "typing", "typing": True}])  # fmt: skip
        agent_sees = []
        while not await page.receive_nothing(1):
            agent_sees.append(await page.receive_json_from())
        await page.send_json_to({"presence": "viewing"})  # the agent stopped
        await asyncio.sleep(0.3)
        later = await asyncio.to_thread(poll, token=token, after=10**9)
        await page.disconnect()
        return widget_sees, agent_sees, later

    widget_sees, agent_sees, later = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert {"kind": "typing", "name": agent.display_name, "typing": True} in widget_sees
    assert any(m.get("kind") == "presence" and m["state"] == "typing" and m["name"] == "Dee"
               for m in agent_sees), agent_sees  # fmt: skip
    assert {"kind": "typing", "name": "", "typing": False} in later


def test_a_visitor_gets_the_conversation_by_email_without_the_teams_notes(chat, agent, admin):
    presence.mark_online(chat.workspace_id, agent.pk)
    session = visitor(chat)  # no address given yet
    say(chat, session, type="message", text="I don't remember my pin, where can I see it?")
    say(chat, session, type="message", text="Talk to a person please <b>now</b>")
    session.refresh_from_db()
    tickets.add_note(session.ticket, by=Actor.of(agent), body="Check their ID first")
    tickets.reply(session.ticket, by=Actor.of(agent), body="Cards → Show PIN, in the app.")
    services.end(session, by=agent)
    session.refresh_from_db()
    assert services.state_of(session)["has_email"] is False

    missing = say(chat, session, type="transcript")
    assert missing.events[0]["code"] == "invalid"  # an address is needed first
    sent = say(chat, session, type="transcript", email="Dee@Example.com")
    assert sent.events == [
        {"kind": "notice", "text": "We sent the conversation to dee@example.com."}
    ]
    run_tasks()
    (mail_,) = [m for m in mail.outbox if m.to == ["dee@example.com"]]
    assert mail_.subject.endswith(f"Your conversation with {chat.workspace.name}")
    body = mail_.body
    assert "I don't remember my pin" in body and "Cards → Show PIN, in the app." in body
    assert f"{agent.display_name}:" in body and f"{chat.bot_name}:" in body
    assert "Check their ID first" not in body  # internal notes never leave the team
    html = mail_.alternatives[0][0]
    assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>now</b>" not in html
    again = say(chat, session, type="transcript")
    assert again.events[0]["code"] == "rate_limited"  # one email per ten minutes
    assert Event.objects.filter(ticket=session.ticket, kind="chat.transcript_sent").count() == 1

    # An admin who switched the email off: the widget says so, nothing is sent.
    from frontline.email.notifications import save_template

    save_template(chat.workspace, "chat_transcript", by=Actor.of(admin), enabled=False,
                  subject="x", body="y")  # fmt: skip
    other = visitor(chat, email="eve@example.com")
    say(chat, other, type="message", text="Hello there, is anyone around?")
    assert say(chat, other, type="transcript").events[0]["code"] == "switched_off"
