"""A workspace moved with `frontline export`/`import` keeps its customers' ratings and
their follow-ups, and its recognition: kudos and reactions, celebrations and the
Customer Service Week plan, the workspace's own awards with their nominations and
votes, success stories and testimonials."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from frontline.accounts.models import Workspace
from frontline.feedback import services as feedback
from frontline.feedback.models import FollowUp, SurveyOptOut
from frontline.people import awards, celebrations, services, stories
from frontline.people import models as people
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

SINCE, UNTIL = datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
START, END = date(2026, 11, 1), date(2026, 11, 30)


def solved(workspace, customer, agent, subject):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject=subject, body="Help?", requester=customer
    )
    tickets.reply(ticket, by=Actor.of(agent), body="Done.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    return ticket


def test_ratings_and_recognition_move_with_the_workspace(
    workspace, owner, admin, agent, agent2, customer, tmp_path
):
    praised = feedback.rate(solved(workspace, customer, agent, "Card blocked"), 5)
    feedback.comment(praised, "Quick and kind, thank you!", consent=True)
    stories.publish_testimonial(praised, by=admin)
    bad = feedback.rate(solved(workspace, customer, agent2, "Fee charged twice"), 1)
    feedback.close_follow_up(bad.follow_up, by=Actor.of(admin), note="Called back, refunded")
    feedback.opt_out(customer)
    kudos = services.give_kudos(
        workspace, giver=agent, receiver=agent2, value="Teamwork", message="Covered my queue"
    )
    services.react(kudos, user=owner, emoji="🎉")
    category = awards.create_category(workspace, by=admin, name="Calm under fire")
    key = f"custom-{category.pk}"
    nomination = awards.nominate(
        workspace, key, START, END, nominee=agent2, by=agent, reason="Stayed calm all week"
    )
    awards.vote(nomination, voter=owner)
    celebrations.save_plan_day(workspace, 2026, 0, theme="Thank-you breakfast", activities="")
    celebrations.add_celebration(
        workspace, name="Launch day", start=date(2026, 12, 3), end=date(2026, 12, 3)
    )
    stories.create_story(
        Ticket.objects.get(subject="Card blocked"), by=admin, title="A save", body="Fixed fast."
    )
    figures = feedback.figures(workspace, kind="csat", since=SINCE, until=UNTIL)

    path = tmp_path / "export.jsonl"
    call_command("export_workspace", workspace.slug, "--output", str(path), stdout=io.StringIO())
    types = {json.loads(x)["type"] for x in path.read_text().splitlines()}
    assert {"rating", "rating_follow_up", "kudos", "kudos_reaction", "nomination"} <= types
    call_command("import_workspace", str(path), "--slug", "moved", stdout=io.StringIO())
    copy = Workspace.objects.get(slug="moved")

    assert feedback.figures(copy, kind="csat", since=SINCE, until=UNTIL) == figures
    follow_up = FollowUp.objects.get(workspace=copy)
    assert (follow_up.status, follow_up.note, follow_up.closed_by) == (
        "done", "Called back, refunded", admin,
    )  # fmt: skip
    assert follow_up.rating.ticket.workspace_id == copy.pk
    assert SurveyOptOut.objects.get(workspace=copy).customer.email == customer.email

    moved = people.Kudos.objects.get(workspace=copy, source="peer")
    assert (moved.giver, moved.receiver, moved.value, moved.message) == (
        agent, agent2, "Teamwork", "Covered my queue",
    )  # fmt: skip
    assert list(people.Reaction.objects.filter(kudos=moved).values_list("user", "emoji")) == [
        (owner.pk, "🎉")
    ]
    # The workspace's own award is a new row: its nominations and votes follow it.
    moved_key = next(k for k, name in awards.categories(copy).items() if name == "Calm under fire")
    assert moved_key != key
    assert awards.tally(copy, moved_key, START, END) == [(agent2, 1)]
    themes = [d.theme for _, d in celebrations.plan(copy, 2026)]
    assert themes[0] == "Thank-you breakfast"
    assert themes == [d.theme for _, d in celebrations.plan(workspace, 2026)]
    assert [o.name for o in celebrations.observances(copy, 2026) if o.name == "Launch day"]
    testimonial = people.Testimonial.objects.get(workspace=copy)
    assert testimonial.quote == "Quick and kind, thank you!"
    assert testimonial.rating.workspace_id == copy.pk


def test_a_broken_line_of_another_apps_section_names_itself_and_nothing_is_imported(db):
    from frontline.tickets.portability import ImportFailed, import_workspace

    head = [
        {"type": "frontline-export", "data": {"version": 1}},
        {"type": "workspace", "data": {"name": "Moved", "slug": "moved"}},
        {"type": "member", "data": {"email": "a@moved.test", "role": "agent"}},
    ]
    kudos = {"source": "peer", "status": "shown", "value": "Teamwork", "message": "Thanks",
             "public": True, "created_at": "2026-11-02T10:00:00+00:00",
             "giver": "a@moved.test", "receiver": "a@moved.test", "id": 1}  # fmt: skip
    cases = [
        ({**kudos, "receiver": None}, "line 4: kudos: 'receiver' is required"),
        ({**kudos, "created_at": "yesterday"}, "line 4: "),
        ({"name": "Cards", "slug": "cards"}, "line 5: it clashes"),
    ]
    for data, said in cases:
        kind = "kb_category" if "slug" in data else "kudos"
        lines = [*head, {"type": kind, "data": data}]
        if kind == "kb_category":
            lines.append({"type": kind, "data": data})  # the same category twice
        text = [json.dumps(x) for x in lines]
        with pytest.raises(ImportFailed, match=said.replace("'", ".")):
            import_workspace(text)
        assert not Workspace.objects.filter(slug="moved").exists()
