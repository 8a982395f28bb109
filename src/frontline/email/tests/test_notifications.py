"""Notification emails: customers hear that their mail arrived, that it was solved, and
get replies in the workspace's wording; agents hear about tickets given to them and
customers' answers. Each one can be reworded or switched off by an admin."""

import pytest
from django.urls import reverse

from frontline.email import inbound, notifications
from frontline.email.tests.test_inbound import read
from frontline.email.tests.test_outbound import smtp  # noqa: F401 - the SMTP fixture
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def mails(box, to: str) -> list:
    return [m for m in box.messages if to in m["To"]]


def body(mail) -> str:
    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


@pytest.fixture
def sent(smtp):  # noqa: F811 - the SMTP server on loopback, emptied for each test
    return smtp


def test_the_customer_hears_their_email_arrived_and_can_answer_it(workspace, sent):
    ticket = inbound.process(inbound.receive(workspace, read("new_request.eml")).pk).ticket
    run_tasks()
    (mail,) = mails(sent, "dana@example.com")
    assert mail["Subject"] == f"[#{ticket.number}] We received your request"
    assert mail["Auto-Submitted"] == "auto-generated"  # no out-of-office ping-pong
    assert mail["In-Reply-To"] == "<CAF1234.dana@mail.example.com>"
    assert mail["Reply-To"] == f"Acme Support <support+{ticket.number}@acme.test>"
    assert "Your request is ticket" in body(mail) and "Card not arriving" in body(mail)


def test_agents_hear_of_tickets_assigned_to_them_and_of_customer_answers(
    workspace, admin, agent, customer, sent
):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject="Fee on my card", body="Why this fee?",
        requester=customer,
    )  # fmt: skip
    tickets.update_ticket(ticket, by=Actor.of(admin), changes={"assignee": agent})
    run_tasks()
    (assigned,) = mails(sent, agent.email)
    assert assigned["Subject"] == f"[#{ticket.number}] Assigned to you: Fee on my card"
    assert f"/w/{workspace.slug}/tickets/{ticket.number}/" in body(assigned)
    # Taking a ticket yourself sends nothing.
    tickets.update_ticket(ticket, by=Actor.of(admin), changes={"assignee": admin})
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"assignee": agent})
    run_tasks()
    assert len(mails(sent, agent.email)) == 1

    tickets.add_customer_message(ticket, customer, body="It was charged twice, too.")
    run_tasks()
    answer = mails(sent, agent.email)[-1]
    assert "replied" in answer["Subject"] and "charged twice" in body(answer)


def test_solved_and_replies_use_the_workspace_wording(workspace, admin, agent, sent):
    ticket = inbound.process(inbound.receive(workspace, read("new_request.eml")).pk).ticket
    notifications.save_template(
        workspace, "agent_replied", by=Actor.of(admin), enabled=True,
        subject="{{ ticket.subject }} (Acme)",
        body="Hi {{ customer.name }},\n\n{{ message }}\n\nCheers, {{ agent.name }}",
    )  # fmt: skip
    tickets.reply(ticket, by=Actor.of(agent), body="Your card <b>was</b> posted today.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": "solved"})
    run_tasks()
    received, reply, solved = mails(sent, "dana@example.com")
    assert reply["Subject"] == f"Re: [#{ticket.number}] Card not arriving (Acme)"
    assert body(reply).startswith("Hi Dana")
    assert "Your card <b>was</b> posted today." in body(reply)
    assert f"Cheers, {agent.display_name}" in body(reply)
    html = [p for p in reply.walk() if p.get_content_type() == "text/html"][0]
    assert "&lt;b&gt;was&lt;/b&gt;" in html.get_payload(decode=True).decode()  # escaped
    assert solved["Subject"] == f"[#{ticket.number}] Your request is solved"


def test_a_switched_off_notification_is_not_sent(workspace, admin, sent):
    client = signed_in(admin)
    url = reverse("email_settings_action", args=[workspace.slug, "notification"])
    default = notifications.DEFAULTS["received"]
    client.post(url, {"kind": "received", "subject": default.subject, "body": default.body})
    inbound.process(inbound.receive(workspace, read("new_request.eml")).pk)
    run_tasks()
    assert mails(sent, "dana@example.com") == []
    # Back to the default: on again.
    client.post(url, {"kind": "received", "reset": "1"})
    inbound.process(inbound.receive(workspace, read("latin1.eml")).pk)
    run_tasks()
    assert len(sent.messages) == 1


def test_a_template_with_an_unknown_placeholder_is_refused_and_kept(admin, workspace):
    r = signed_in(admin).post(
        reverse("email_settings_action", args=[workspace.slug, "notification"]),
        {"kind": "solved", "enabled": "on", "subject": "Done", "body": "Bye {{ user.password }}"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "{{ user.password }} is not a placeholder" in page.replace("&#x27;", "'")
    assert "Bye {{ user.password }}" in page
    assert notifications.template_for(workspace.pk, "solved").pk is None
