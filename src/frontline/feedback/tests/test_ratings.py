"""Customers rate a solved request with one click from the email; the rating belongs to
the ticket and to the agent who last replied; bad ratings open a follow-up; tampered,
expired and foreign links record nothing."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from frontline.email.tests.test_outbound import smtp  # noqa: F401 - SMTP on loopback
from frontline.feedback import services
from frontline.feedback.models import FollowUp, Rating, SurveyRequest
from frontline.lib import clock
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Event, Status

pytestmark = pytest.mark.django_db(transaction=True)


def solved_mail(box, ticket):
    found = [
        m
        for m in box.messages
        if "is solved" in m["Subject"] and f"#{ticket.number}]" in m["Subject"]
    ]
    assert len(found) == 1, [m["Subject"] for m in box.messages]
    part = next(p for p in found[0].walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def links(text: str) -> dict[int, str]:
    return {
        int(s): url.split("127.0.0.1:8000", 1)[1]
        for s, url in re.findall(r"  (\d+)[^:]*: (http\S+)", text)
    }


@pytest.fixture
def solved(workspace, agent, customer, smtp):  # noqa: F811
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Card declined", body="Why?", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="Your card works again.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    return ticket, links(solved_mail(smtp, ticket))


def test_the_solved_email_asks_once_and_only_when_an_agent_replied(
    solved,
    workspace,
    agent,
    customer,
    smtp,  # noqa: F811
):
    ticket, choices = solved
    assert sorted(choices) == [1, 2, 3, 4, 5]
    assert SurveyRequest.objects.get(ticket=ticket).agent == agent
    # Nobody replied on this one: solved without a survey.
    quiet = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Never mind", body="Found it", requester=customer
    )
    tickets.update_ticket(quiet, by=Actor.of(agent), changes={"status": Status.SOLVED})
    # Solved again after a reopen: not asked twice.
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.OPEN})
    SurveyRequest.objects.filter(ticket=ticket).update(sent_at=clock.now() - timedelta(hours=3))
    smtp.messages.clear()
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    assert links(solved_mail(smtp, quiet)) == {}
    assert links(solved_mail(smtp, ticket)) == {}


def test_one_click_rates_for_the_agent_and_a_second_click_soon_after_changes_it(solved, agent):
    ticket, choices = solved
    customer = Client()
    page = customer.get(choices[5])  # what a mail scanner also does: records nothing
    assert page.status_code == 200 and "data-autosubmit" in page.content.decode()
    assert not Rating.objects.exists()
    done = customer.post(choices[5])
    assert "your rating is saved" in done.content.decode()
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.agent, rating.kind) == (5, agent, "csat")
    assert Event.objects.filter(ticket=ticket, kind="rating.received").count() == 1

    customer.post(choices[2])  # the wrong button: changed within 15 minutes
    rating.refresh_from_db()
    assert rating.score == 2 and FollowUp.objects.get(rating=rating).status == "open"
    customer.post(choices[4])
    assert not FollowUp.objects.exists()  # no longer a bad rating

    Rating.objects.filter(pk=rating.pk).update(created_at=clock.now() - timedelta(minutes=16))
    late = customer.post(choices[1])
    assert late.status_code == 409 and "already rated" in late.content.decode()
    rating.refresh_from_db()
    assert rating.score == 4


def test_tampered_expired_and_foreign_links_record_nothing(solved, other_workspace):
    ticket, choices = solved
    customer = Client()
    tampered = choices[5].replace("/rate/", "/rate/x")
    assert customer.post(tampered).status_code == 400
    forged = reverse("rate", args=[ticket.workspace.slug, signing.dumps({"t": ticket.pk, "s": 5})])
    assert customer.post(forged).status_code == 400  # signed without our salt

    class LastMonth(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 31 * 86400)

    old = LastMonth(salt=services.SALT).sign_object({"t": ticket.pk, "s": 5})
    expired = customer.post(reverse("rate", args=[ticket.workspace.slug, old]))
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    token = choices[5].split("/rate/")[1].rstrip("/")
    foreign = customer.post(reverse("rate", args=[other_workspace.slug, token]))
    assert foreign.status_code == 400
    out_of_range = signing.dumps({"t": ticket.pk, "s": 9}, salt=services.SALT)
    assert (
        customer.post(reverse("rate", args=[ticket.workspace.slug, out_of_range])).status_code
        == 422
    )
    assert not Rating.objects.exists()


def test_a_comment_with_consent_and_an_opt_out(solved, workspace, agent, customer, smtp):  # noqa: F811
    ticket, choices = solved
    client = Client()
    client.post(choices[5])
    token = choices[5].split("/rate/")[1].rstrip("/")
    client.post(
        reverse("rate_comment", args=[workspace.slug, token]),
        {"comment": "Thank you so much, Ava was wonderful!", "consent": "on", "opt_out": "on"},
    )
    rating = Rating.objects.get()
    assert rating.consent_to_share and rating.comment_sentiment > 0.5
    # Opted out: the next solved request asks nothing.
    second = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Another", body="Hi", requester=customer
    )
    tickets.reply(second, by=Actor.of(agent), body="Done.")
    tickets.update_ticket(second, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    assert links(solved_mail(smtp, second)) == {}


def test_a_bad_rating_can_reopen_the_ticket_and_an_admin_closes_the_loop(solved, workspace, admin):
    ticket, choices = solved
    current = services.settings_for(workspace)
    current.reopen_on_bad = True
    current.save()
    Client().post(choices[1])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    follow_up = FollowUp.objects.get()
    page = signed_in(admin).get(reverse("feedback", args=[workspace.slug])).content.decode()
    assert f"#{ticket.number}" in page and "No open follow-ups" not in page
    signed_in(admin).post(
        reverse("feedback_follow_up_done", args=[workspace.slug, follow_up.pk]),
        {"note": "Called the customer, card replaced"},
    )
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.closed_by == admin


def test_a_bad_rating_goes_to_the_teams_lead_by_email_and_only_they_or_admins_close_it(
    workspace,
    admin,
    agent,
    agent2,
    customer,
    smtp,  # noqa: F811
):
    team = tickets.create_team(workspace, by=Actor.of(admin), name="Cards")
    settings_url = reverse("settings_item", args=[workspace.slug, "team-members", team.pk])
    r = signed_in(admin).post(settings_url, {"members": [agent.pk, agent2.pk], "lead": agent2.pk})
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.lead == agent2
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Card stuck", body="Help", requester=customer,
        team=team,
    )  # fmt: skip
    tickets.reply(ticket, by=Actor.of(agent), body="Try again tomorrow.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    services.rate(ticket, 1)
    run_tasks()
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == agent2
    (mail,) = [m for m in smtp.messages if "Follow up" in m["Subject"]]
    assert mail["To"] == agent2.email and f"[#{ticket.number}]" in mail["Subject"]
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode()
    assert "Rating: 1" in text and f"Last replied: {agent.display_name}" in text
    page = signed_in(agent).get(reverse("ticket", args=[workspace.slug, ticket.number]))
    assert f"Follow-up open, with {agent2.display_name}" in page.content.decode()
    done = reverse("feedback_follow_up_done", args=[workspace.slug, follow_up.pk])
    assert signed_in(agent).post(done, {"note": "x"}).status_code == 403  # not the lead
    assert signed_in(agent2).post(done, {"note": "Called her"}).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.closed_by) == ("done", agent2)


def test_the_formulas_and_the_report(workspace, agent, viewer, stranger):
    assert services.score_of("csat", [5, 4, 3, 1]) == 50.0
    assert services.score_of("nps", [10, 9, 8, 6, 0]) == 0.0  # 40 % promoters − 40 % detractors
    assert services.score_of("nps", [10, 10, 7]) == 66.7
    assert services.score_of("ces", [7, 6, 2]) == 5.0
    assert services.score_of("csat", []) is None
    url = reverse("feedback", args=[workspace.slug])
    page = signed_in(agent).get(url).content.decode()
    assert "No ratings yet" in page
    assert signed_in(viewer).get(url).status_code == 403
    assert signed_in(stranger).get(url).status_code == 404
    close = reverse("feedback_follow_up_done", args=[workspace.slug, 1])
    assert signed_in(agent).post(close).status_code == 404


def test_an_admin_switches_to_nps_and_the_email_asks_0_to_10(
    workspace,
    admin,
    agent,
    customer,
    smtp,  # noqa: F811
):
    url = reverse("feedback_settings", args=[workspace.slug])
    assert signed_in(agent).post(url, {"kind": "nps", "enabled": "on"}).status_code == 403
    r = signed_in(admin).post(url, {"kind": "nps", "enabled": "on", "question": ""}, follow=True)
    assert "Survey settings saved" in r.content.decode()
    bad = signed_in(admin).post(url, {"kind": "stars", "enabled": "on"}, follow=True)
    assert "kind: must be one of csat, nps, ces" in bad.content.decode()
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Loan", body="Rates?", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="3.1 % this month.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    text = solved_mail(smtp, ticket)
    assert "How likely are you to recommend us" in text
    assert sorted(links(text)) == list(range(11))
    Client().post(links(text)[6])
    assert FollowUp.objects.count() == 1  # a detractor


def test_a_signed_in_customer_rates_in_the_help_center(solved, workspace, customer):
    from frontline.portal.views import SESSION_KEY

    ticket, _ = solved
    client = Client()  # signed in to the help center (as the emailed link does)
    session = client.session
    session[SESSION_KEY] = {str(workspace.pk): customer.pk}
    session.save()
    page = client.get(reverse("portal_ticket", args=[workspace.slug, ticket.number]))
    assert "How satisfied are you" in page.content.decode()
    rate = reverse("portal_rate", args=[workspace.slug, ticket.number])
    r = client.post(rate, {"score": "4"}, follow=True)
    assert "Thank you for your rating" in r.content.decode()
    assert Rating.objects.get(ticket=ticket).via == "portal"
    assert client.post(rate, {"score": "11"}, follow=True).status_code == 200
    assert Rating.objects.get(ticket=ticket).score == 4  # out of range: refused
    assert Client().post(rate, {"score": "1"}).status_code == 302  # signed out
    assert Rating.objects.get(ticket=ticket).score == 4


def test_the_report_by_intent_and_week_and_the_csv_export(solved, workspace, admin, agent):
    ticket, choices = solved
    Client().post(choices[4])
    Client().post(
        reverse("rate_comment", args=[workspace.slug, choices[4].split("/rate/")[1].rstrip("/")]),
        {"comment": 'Fine, "quick"', "consent": "on"},
    )
    page = signed_in(agent).get(reverse("feedback", args=[workspace.slug])).content.decode()
    assert "By intent" in page and "week of " in page and "100.0" in page
    # The one survey sent was answered: 100 % per agent, and so overall.
    assert f"<td>{agent.display_name}</td><td>1</td><td>100.0</td><td>100.0 %</td>" in page
    assert "1 of 1 surveys sent were answered (100.0 %)" in page
    assert (
        signed_in(agent).get(reverse("feedback_export", args=[workspace.slug])).status_code == 403
    )
    csv_text = b"".join(
        signed_in(admin).get(reverse("feedback_export", args=[workspace.slug])).streaming_content
    ).decode()
    header, row = csv_text.strip().splitlines()
    assert header.startswith("ticket,rated_at,kind,score,agent")
    assert row.startswith(f"{ticket.number},") and ",csat,4," in row
    assert '"Fine, ""quick"""' in row and row.endswith(",yes")
    assert header.endswith(",comment,comment_sentiment,consent_to_share")


def test_a_workspace_can_ask_hours_after_solving_in_an_email_of_its_own(
    workspace,
    admin,
    agent,
    customer,
    smtp,  # noqa: F811
):
    from django_tasks_db.models import DBTaskResult

    r = signed_in(admin).post(
        reverse("feedback_settings", args=[workspace.slug]),
        {"kind": "csat", "enabled": "on", "delay_hours": "2"},
        follow=True,
    )
    assert "Survey settings saved" in r.content.decode()
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="PIN", body="Forgot it", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="Reset by post.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    run_tasks()
    assert links(solved_mail(smtp, ticket)) == {}  # not in the solved email
    later = DBTaskResult.objects.get(task_path="frontline.feedback.tasks.send_survey")
    hours = (later.run_after - clock.now()).total_seconds() / 3600
    assert 1.9 < hours <= 2
    assert services.delayed_survey(ticket.pk) == "sent"
    (survey,) = [m for m in smtp.messages if m["Subject"] == f"[#{ticket.number}] How did we do?"]
    text = next(p for p in survey.walk() if p.get_content_type() == "text/plain")
    assert sorted(links(text.get_payload(decode=True).decode())) == [1, 2, 3, 4, 5]
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.OPEN})
    assert services.delayed_survey(ticket.pk) == "not solved"
