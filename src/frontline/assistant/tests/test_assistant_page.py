"""Admins run the assistant from its page; nobody else can."""

import pytest
from django.urls import reverse

from frontline.assistant import services
from frontline.assistant.models import UNSURE, IntentModelVersion, RoutingRule
from frontline.assistant.tests.test_triage import labelled  # noqa: F401 - fixture
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def url(workspace, name="assistant", *args):
    return reverse(name, args=[workspace.slug, *args])


def test_only_admins_open_the_assistant(agent, stranger, workspace):
    assert signed_in(agent).get(url(workspace)).status_code == 403
    assert signed_in(agent).post(url(workspace, "assistant_train")).status_code == 403
    assert signed_in(stranger).get(url(workspace)).status_code == 404


def test_admin_trains_reads_the_report_and_tries_a_message(labelled, admin):  # noqa: F811
    client = signed_in(admin)
    first = client.get(url(labelled)).content.decode()
    assert "No model yet" in first
    # Before any training the admin sees what the team has labelled so far.
    assert "Labelled tickets now:" in first and "<tr><td>refund</td><td>14</td></tr>" in first
    client.post(url(labelled, "assistant_train"))
    again = client.post(url(labelled, "assistant_train"), follow=True).content.decode()
    assert "already queued" in again  # one training at a time
    run_tasks()
    page = client.get(url(labelled)).content.decode()
    assert "Version 1" in page and "trained" in page
    assert "<svg" in page and "Accuracy and coverage by unsure threshold" in page

    tried = client.post(
        url(labelled, "assistant_try"),
        {"text": "I lost my credit card on the bus yesterday, please block it"},
    )
    html = tried.content.decode()
    assert "Intent <strong>lost_card</strong>" in html and "Language: en" in html


def test_routing_rules_are_saved_from_one_form(labelled, admin):  # noqa: F811
    services.train(labelled, by=admin)
    team = tickets.create_team(labelled, by=Actor.of(admin), name="Cards")
    client = signed_in(admin)
    client.post(
        url(labelled, "assistant_rules"),
        {
            "intent": [UNSURE, "lost_card", "refund"],
            "team": [str(team.pk), str(team.pk), ""],
            "priority": ["", "urgent", ""],
            "tags": ["", "cards, Lost", ""],
        },
    )
    rules = {r.intent: r for r in RoutingRule.objects.filter(workspace=labelled)}
    assert set(rules) == {UNSURE, "lost_card"}  # an empty row is no rule
    assert (rules["lost_card"].priority, rules["lost_card"].add_tags) == (
        "urgent",
        ["cards", "lost"],
    )
    page = client.get(url(labelled)).content.decode()
    assert 'value="cards, lost"' in page
    # "Try a message" shows what a new ticket would get, language team and tone included.
    french = tickets.create_team(labelled, by=Actor.of(admin), name="Français")
    services.set_rule(labelled, "language:fr", team=french, add_tags=["fr"])
    tried = client.post(
        url(labelled, "assistant_try"),
        {"text": "On m'a volé ma carte de crédit ce matin, bloquez-la tout de suite !"},
    ).content.decode()
    assert "would go to <strong>Français</strong>, tagged fr." in tried  # the language wins
    angry = client.post(
        url(labelled, "assistant_try"),
        {"text": "MY CARD WAS STOLEN AND NOBODY ANSWERS, THIRD TIME I WRITE!!!"},
    ).content.decode()
    expected = (
        "would go to <strong>Cards</strong>, priority <strong>high</strong>, tagged frustrated."
    )
    assert expected in angry  # unsure, so the unsure rule's team; upset, so raised


def test_settings_are_checked_and_an_old_version_can_be_made_active(labelled, admin):  # noqa: F811
    client = signed_in(admin)
    response = client.post(
        url(labelled, "assistant_settings"),
        {"label_source": "custom_field", "label_key": "nope", "retrain_every_hours": "24"},
        follow=True,
    )
    assert "no custom field with the key" in response.content.decode()
    first = services.train(labelled, by=admin)
    second = services.train(labelled, by=admin, force=True)
    assert second.state == "active"
    client.post(url(labelled, "assistant_activate", first.number))
    states = dict(IntentModelVersion.objects.values_list("number", "state"))
    assert states == {1: "active", 2: "retired"}


def test_label_counts_follow_the_chosen_label_source(workspace, agent, customer):
    from frontline.assistant.labels import label_counts

    by = Actor.of(agent)
    cards = tickets.create_team(workspace, by=by, name="Cards")
    for i, (team, tags) in enumerate([(cards, ["topic-fees"]), (cards, ["topic-pin", "vip"]),
                                      (None, ["topic-fees"])]):  # fmt: skip
        tickets.create_ticket(
            workspace, by=by, subject=f"T{i}", body="b", requester=customer, team=team, tags=tags
        )
    services.update_settings(workspace, label_source="team")
    assert label_counts(services.settings_for(workspace.pk)) == [("Cards", 2)]
    services.update_settings(workspace, label_source="tag_group", label_key="topic-")
    assert label_counts(services.settings_for(workspace.pk)) == [
        ("topic-fees", 2),
        ("topic-pin", 1),
    ]
