"""The help-desk services, as agents and customers experience them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.lib.errors import ServiceError
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import (
    Attachment,
    Customer,
    CustomField,
    Event,
    Message,
    Status,
    Team,
    Ticket,
)


def kinds(ticket):
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def test_new_ticket_gets_next_number_and_requester_by_email(workspace, agent):
    first = services.create_ticket(
        workspace,
        by=Actor.of(agent),
        subject="Card not working",
        body="It is declined",
        requester_email="Dana@Example.com",
        requester_name="Dana",
    )
    second = services.create_ticket(
        workspace,
        by=Actor.of(agent),
        subject="Second",
        body="Again",
        requester_email="dana@example.com",
    )
    assert (first.number, second.number) == (1, 2)
    assert first.requester == second.requester
    assert first.requester.email == "dana@example.com"
    assert first.status == Status.NEW
    # The assistant reads every new ticket (tone, language; intent once trained).
    assert kinds(first) == ["ticket.created", "message.added", "assistant.triaged"]
    message = first.messages.get()
    assert message.author_type == Message.Author.CUSTOMER
    assert message.author_customer == first.requester


@pytest.mark.django_db(transaction=True)  # the create's own transaction, as in production
def test_a_new_ticket_writes_its_events_together_and_in_order(workspace, agent):
    """The new requester, the ticket, its message and the assistant's reading: events from
    three apps, saved in one statement (each is time spent holding SQLite's write lock)."""
    with CaptureQueriesContext(connection) as ctx:
        ticket = services.create_ticket(
            workspace,
            by=Actor.of(agent),
            subject="Lost card",
            body="I lost my card yesterday, what should I do now?",
            requester_email="first.time@example.com",
        )
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum(q.startswith('INSERT INTO "tickets_event"') for q in sql) == 1
    # The new requester is saved with the language they wrote in, not updated afterwards.
    assert ticket.requester.language == "en"
    assert Customer.objects.get(pk=ticket.requester_id).language == "en"
    assert not any(q.startswith('UPDATE "tickets_customer"') for q in sql)
    # SQLite has one writer at a time, so the new address cannot be taken between the
    # check and the insert: no savepoint to recover from that. PostgreSQL keeps it.
    savepoints = sum(q.startswith("SAVEPOINT") for q in sql)
    assert savepoints == (0 if connection.vendor == "sqlite" else 1)
    written = list(
        Event.objects.filter(workspace=workspace).order_by("id").values_list("kind", flat=True)
    )
    assert written == ["customer.created", "ticket.created", "message.added", "assistant.triaged"]


def test_a_create_that_fails_midway_leaves_no_events_and_no_requester(
    workspace, agent, other_workspace
):
    foreign = Attachment.objects.create(
        workspace=other_workspace, filename="a.txt", content_type="text/plain", size=1, sha256="0"
    )
    with pytest.raises(ServiceError):
        services.create_ticket(
            workspace,
            by=Actor.of(agent),
            subject="With a file",
            body="See attached",
            requester_email="never.stored@example.com",
            attachments=[foreign],
        )
    assert not Event.objects.filter(workspace=workspace).exists()
    assert not workspace.customers.filter(email="never.stored@example.com").exists()
    # The next create works and numbers on.
    ticket = services.create_ticket(
        workspace, by=Actor.of(agent), subject="Again", body="Hi", requester_email="b@example.com"
    )
    assert ticket.number == 1 and kinds(ticket)[0] == "ticket.created"


def test_numbers_are_per_workspace(workspace, other_workspace, agent, stranger):
    a = services.create_ticket(
        workspace, by=Actor.of(agent), subject="A", body="a", requester_email="x@example.com"
    )
    b = services.create_ticket(
        other_workspace,
        by=Actor.of(stranger),
        subject="B",
        body="b",
        requester_email="x@example.com",
    )
    assert a.number == b.number == 1
    assert a.requester != b.requester


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"subject": "   "}, "subject"),
        ({"body": ""}, "body"),
        ({"body": "x" * 70_000}, "body"),
        ({"priority": "whenever"}, "priority"),
        ({"status": "archived"}, "status"),
        ({"requester_email": "not-an-email"}, "requester_email"),
    ],
)
def test_bad_ticket_input_is_refused_and_nothing_is_stored(workspace, agent, changes, field):
    data = {"subject": "Help", "body": "Please help", "requester_email": "a@example.com"}
    data.update(changes)
    with pytest.raises(ServiceError) as exc:
        services.create_ticket(workspace, by=Actor.of(agent), **data)
    assert exc.value.details[0].field == field
    assert Ticket.objects.count() == 0
    assert Event.objects.count() == 0


def test_customer_html_is_sanitised(workspace, agent):
    ticket = services.create_ticket(
        workspace,
        by=Actor.of(agent),
        subject="Hi",
        requester_email="a@example.com",
        body_html='<p onclick="steal()">Hello <script>alert(1)</script><b>there</b></p>'
        '<a href="javascript:alert(1)">x</a>',
    )
    message = ticket.messages.get()
    assert "<script" not in message.body_html and "onclick" not in message.body_html
    assert "javascript:" not in message.body_html
    assert "<b>there</b>" in message.body_html
    assert "Hello" in message.body_text


def test_plain_text_is_escaped_in_html(ticket, agent):
    msg = services.reply(ticket, by=Actor.of(agent), body="Use <b>bold</b> & enjoy")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; enjoy" in msg.body_html


def test_first_reply_opens_ticket_and_assigns_replier(ticket, agent):
    services.reply(ticket, by=Actor.of(agent), body="We are looking into it.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.assignee == agent
    assert kinds(ticket)[-2:] == ["ticket.assignee", "ticket.status"]


def test_reply_can_set_pending_and_customer_reply_reopens(ticket, agent, customer):
    services.reply(
        ticket, by=Actor.of(agent), body="Can you send a screenshot?", status=Status.PENDING
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    services.add_customer_message(ticket, customer, body="Here it is")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    status_events = ticket.events.filter(kind="ticket.status").order_by("id")
    assert [(e.before, e.after) for e in status_events] == [("new", "pending"), ("pending", "open")]


def test_customer_reply_to_solved_ticket_reopens_it(ticket, agent, customer):
    services.update_ticket(ticket, by=Actor.of(agent), changes={"status": "solved"})
    ticket.refresh_from_db()
    assert ticket.solved_at is not None
    services.add_customer_message(ticket, customer, body="Still broken!")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.solved_at is None


def test_customer_reply_to_closed_ticket_starts_follow_up(ticket, agent, customer):
    services.update_ticket(ticket, by=Actor.of(agent), changes={"status": "closed"})
    message = services.add_customer_message(ticket, customer, body="New problem")
    follow_up = message.ticket
    assert follow_up.pk != ticket.pk and follow_up.status == Status.NEW
    assert follow_up.events.filter(
        kind="ticket.follow_up", after__follow_up_of=ticket.number
    ).exists()


def test_stranger_customer_cannot_write_on_ticket(ticket, workspace):
    intruder = services.create_customer(workspace, by=Actor.of(None), email="eve@example.com")
    with pytest.raises(ServiceError) as exc:
        services.add_customer_message(ticket, intruder, body="hi")
    assert exc.value.status == 403
    assert ticket.messages.count() == 1


def test_internal_note_is_internal_and_does_not_change_status(ticket, agent):
    note = services.add_note(ticket, by=Actor.of(agent), body="Customer is VIP")
    ticket.refresh_from_db()
    assert note.is_internal
    assert ticket.status == Status.NEW


def test_assign_to_agent_of_other_workspace_is_refused(ticket, agent, stranger):
    with pytest.raises(ServiceError) as exc:
        services.update_ticket(ticket, by=Actor.of(agent), changes={"assignee": stranger})
    assert exc.value.details[0].field == "assignee"
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_viewer_cannot_be_assigned(ticket, agent, viewer):
    with pytest.raises(ServiceError):
        services.update_ticket(ticket, by=Actor.of(agent), changes={"assignee": viewer})


def test_update_records_one_event_per_changed_field(ticket, agent):
    changed = services.update_ticket(
        ticket,
        by=Actor.of(agent),
        changes={"priority": "urgent", "tags": ["vip", "Card Issue"], "subject": ticket.subject},
    )
    assert changed == ["priority", "tags"]
    ticket.refresh_from_db()
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["card-issue", "vip"]
    ev = ticket.events.get(kind="ticket.priority")
    assert (ev.before, ev.after, ev.actor_user) == ("normal", "urgent", agent)
    # Nothing changes, nothing is recorded.
    assert services.update_ticket(ticket, by=Actor.of(agent), changes={"priority": "urgent"}) == []


def test_tags_add_and_remove(ticket, agent):
    services.update_ticket(ticket, by=Actor.of(agent), changes={"add_tags": ["a", "b"]})
    services.update_ticket(
        ticket, by=Actor.of(agent), changes={"add_tags": ["c"], "remove_tags": ["a"]}
    )
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["b", "c"]


def test_unknown_change_is_refused(ticket, agent):
    with pytest.raises(ServiceError) as exc:
        services.update_ticket(ticket, by=Actor.of(agent), changes={"colour": "red"})
    assert exc.value.details[0].field == "colour"


def test_custom_fields_are_validated_against_definitions(workspace, ticket, agent):
    CustomField.objects.create(workspace=workspace, key="order_ref", label="Order", type="text")
    CustomField.objects.create(
        workspace=workspace,
        key="product",
        label="Product",
        type="select",
        choices=["card", "loan"],
        required=True,
    )
    CustomField.objects.create(workspace=workspace, key="amount", label="Amount", type="number")
    with pytest.raises(ServiceError) as exc:
        services.update_ticket(
            ticket,
            by=Actor.of(agent),
            changes={"custom_fields": {"product": "boat", "amount": "lots", "nope": 1}},
        )
    fields = sorted(d.field for d in exc.value.details)
    assert fields == ["custom_fields.amount", "custom_fields.nope", "custom_fields.product"]
    ticket.refresh_from_db()
    assert ticket.custom_fields == {}

    # A required field must be filled in before solving.
    with pytest.raises(ServiceError) as exc:
        services.update_ticket(ticket, by=Actor.of(agent), changes={"status": "solved"})
    assert exc.value.code == "required_fields"
    services.update_ticket(
        ticket,
        by=Actor.of(agent),
        changes={
            "custom_fields": {"product": "card", "amount": "12.50", "order_ref": " A-1 "},
            "status": "solved",
        },
    )
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"product": "card", "amount": 12.5, "order_ref": "A-1"}
    assert ticket.status == Status.SOLVED


def test_round_robin_takes_turns_and_skips_away_agents(workspace, ticket, agent, agent2, admin):
    team = services.create_team(workspace, by=Actor.of(admin), name="Cards")
    services.set_team_members(team, [agent, agent2], by=Actor.of(admin))
    customer = ticket.requester
    picks = []
    for i in range(4):
        t = services.create_ticket(
            workspace, by=Actor.of(customer), subject=f"T{i}", body="b", requester=customer
        )
        picks.append(services.assign_round_robin(t, team, by=Actor.of(admin)))
    assert picks == [agent, agent2, agent, agent2]
    agent2.memberships.update(is_available=False)
    t = services.create_ticket(
        workspace, by=Actor.of(customer), subject="T", body="b", requester=customer
    )
    assert services.assign_round_robin(t, team, by=Actor.of(admin)) == agent
    agent.memberships.update(is_available=False)
    t = services.create_ticket(
        workspace, by=Actor.of(customer), subject="T", body="b", requester=customer
    )
    assert services.assign_round_robin(t, team, by=Actor.of(admin)) is None
    t.refresh_from_db()
    assert t.team == team and t.assignee is None


def test_round_robin_is_fair_over_many_tickets(workspace, customer, admin):
    from frontline.testing.personas import make_user

    agents = [make_user(workspace, f"rr{i}@acme.test", "agent") for i in range(3)]
    team = services.create_team(workspace, by=Actor.of(admin), name="Billing")
    services.set_team_members(team, agents, by=Actor.of(admin))
    counts = dict.fromkeys(agents, 0)
    for i in range(30):
        t = services.create_ticket(
            workspace, by=Actor.of(customer), subject=f"T{i}", body="b", requester=customer
        )
        counts[services.assign_round_robin(t, team, by=Actor.of(admin))] += 1
    assert sorted(counts.values()) == [10, 10, 10]


def test_macro_replies_and_changes_fields(workspace, ticket, agent, admin):
    team = services.create_team(workspace, by=Actor.of(admin), name="Cards")
    macro = services.create_macro(
        workspace,
        by=Actor.of(admin),
        name="Card replacement",
        body="Hi {{requester.first_name}}, a new card is on its way. {{agent.name}}",
        actions={"status": "pending", "team": "cards", "add_tags": ["replacement"]},
    )
    message = services.apply_macro(ticket, macro, by=Actor.of(agent))
    ticket.refresh_from_db()
    assert message.body_text == "Hi Carla, a new card is on its way. Ava Agent"
    assert ticket.status == Status.PENDING and ticket.team == team
    assert list(ticket.tags.values_list("name", flat=True)) == ["replacement"]
    assert "macro.applied" in kinds(ticket)


def test_macro_with_invalid_actions_is_refused(workspace, admin):
    with pytest.raises(ServiceError):
        services.create_macro(
            workspace, by=Actor.of(admin), name="Bad", actions={"status": "exploded"}
        )
    with pytest.raises(ServiceError):
        services.create_macro(
            workspace, by=Actor.of(admin), name="Bad", actions={"team": "no-such-team"}
        )


def test_merge_moves_messages_and_requester(workspace, ticket, agent):
    other = services.create_ticket(
        workspace,
        by=Actor.of(agent),
        subject="Declined card again",
        body="Sent from my other address",
        requester_email="carla.work@example.com",
    )
    services.merge_tickets(other, ticket, by=Actor.of(agent))
    other.refresh_from_db()
    ticket.refresh_from_db()
    assert other.merged_into == ticket and other.status == Status.CLOSED
    bodies = list(ticket.messages.values_list("body_text", flat=True))
    assert "Sent from my other address" in bodies
    assert other.requester in ticket.followers.all()
    assert "ticket.merge_received" in kinds(ticket)
    # The merged ticket is frozen; writing to it is a conflict.
    with pytest.raises(ServiceError) as exc:
        services.reply(other, by=Actor.of(agent), body="hello?")
    assert exc.value.status == 409
    # The old requester can still write: it lands on the survivor.
    msg = services.add_customer_message(other, other.requester, body="Any news?")
    assert msg.ticket == ticket


def test_merge_across_workspaces_is_refused(ticket, other_ticket, agent):
    with pytest.raises(ServiceError):
        services.merge_tickets(other_ticket, ticket, by=Actor.of(agent))
    assert other_ticket.messages.count() == 1


def test_bulk_update_reports_failures_and_keeps_going(workspace, ticket, agent, customer):
    second = services.create_ticket(
        workspace, by=Actor.of(customer), subject="Two", body="b", requester=customer
    )
    merged = services.create_ticket(
        workspace, by=Actor.of(customer), subject="Three", body="c", requester=customer
    )
    services.merge_tickets(merged, second, by=Actor.of(agent))
    result = services.bulk_update(
        [ticket, second, merged], by=Actor.of(agent), changes={"priority": "high"}
    )
    assert result.updated == [ticket.number, second.number]
    assert [n for n, _ in result.failed] == [merged.number]
    assert Ticket.objects.filter(priority="high").count() == 2


def test_event_log_is_append_only(ticket):
    ev = ticket.events.first()
    with pytest.raises(TypeError):
        ev.save()
    with pytest.raises(TypeError):
        ev.delete()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=ev.pk).update(kind="x")


def test_duplicate_team_slug_is_a_conflict(workspace, admin):
    services.create_team(workspace, by=Actor.of(admin), name="Cards")
    with pytest.raises(ServiceError) as exc:
        services.create_team(workspace, by=Actor.of(admin), name="cards")
    assert exc.value.status == 409
    assert Team.objects.filter(workspace=workspace).count() == 1


def test_customer_email_cannot_belong_to_two_customers(workspace, customer):
    with pytest.raises(ServiceError) as exc:
        services.create_customer(workspace, by=Actor.of(None), email="carla@example.com")
    assert exc.value.status == 409


def test_search_document_follows_the_conversation(ticket, agent):
    services.add_note(ticket, by=Actor.of(agent), body="Escalated to the fraud desk")
    services.update_ticket(ticket, by=Actor.of(agent), changes={"subject": "Fraud suspicion"})
    doc = ticket.search_document
    doc.refresh_from_db()
    assert doc.subject == "Fraud suspicion"
    assert "fraud desk" in doc.body and "supermarket" in doc.body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the SQLite FTS5 triggers")
def test_fts_index_sees_new_messages(ticket, agent):
    from frontline.tickets.search import indexing

    services.reply(ticket, by=Actor.of(agent), body="Your replacement is dispatched")
    assert indexing.index_queued() == 1  # the changed document waited in the queue
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH ?", ["dispatched"]
        )
        assert [r[0] for r in cur.fetchall()] == [ticket.pk]
