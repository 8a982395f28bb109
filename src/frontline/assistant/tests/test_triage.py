"""The assistant learns intents from the workspace's own tickets, routes new tickets,
says when it is unsure, and learns from agents' corrections."""

import csv
import json

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from frontline.assistant import services
from frontline.assistant.labels import training_examples
from frontline.assistant.models import UNSURE, IntentModelVersion, TicketInsight
from frontline.assistant.tests.examples import INTENTS, dataset
from frontline.testing.personas import signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(workspace, agent, customer):
    """A workspace whose past tickets carry an "intent" field set by agents."""
    by = Actor.of(agent)
    tickets.create_custom_field(
        workspace, by=by, key="intent", label="Intent", type="select", choices=sorted(INTENTS)
    )
    for text, intent in dataset():
        tickets.create_ticket(
            workspace,
            by=by,
            subject=text,
            body=text,
            requester=customer,
            custom_fields={"intent": intent},
        )
    return workspace


def new_ticket(workspace, customer, text):
    return tickets.create_ticket(
        workspace, by=Actor.of(customer), subject=text, body=text, requester=customer
    )


def test_without_a_model_tickets_still_get_tone_and_language(workspace, customer):
    ticket = new_ticket(workspace, customer, "THIS IS THE THIRD TIME I ASK, WHERE IS MY MONEY")
    insight = TicketInsight.objects.get(ticket=ticket)
    assert insight.intent == "" and insight.frustrated and insight.language == "en"
    ticket.refresh_from_db()
    assert ticket.priority == "high" and "frustrated" in [t.name for t in ticket.tags.all()]


def test_training_reports_and_activates_a_model(labelled, admin):
    version = services.train(labelled, by=admin)
    assert version.state == "active" and version.number == 1
    report = version.report
    assert report["n_examples"] == 81 and report["counts"]["refund"] == 14
    assert report["holdout_accuracy"] >= 0.8 and 0 < report["threshold"] < 1
    assert {"threshold", "coverage", "accuracy"} <= set(report["threshold_curve"][0])


def test_new_tickets_are_routed_by_intent_and_say_why(labelled, admin, customer):
    by = Actor.of(admin)
    cards = tickets.create_team(labelled, by=by, name="Cards")
    general = tickets.create_team(labelled, by=by, name="General")
    services.set_rule(labelled, "lost_card", team=cards, priority="urgent", add_tags=["Cards"])
    services.update_settings(labelled, default_team=general)
    services.train(labelled, by=admin)

    ticket = new_ticket(labelled, customer, "Help, my credit card was stolen this morning")
    ticket.refresh_from_db()
    assert ticket.custom_fields["intent"] == "lost_card"
    assert (ticket.team, ticket.priority) == (cards, "urgent")
    assert [t.name for t in ticket.tags.all()] == ["cards"]
    why = Event.objects.get(ticket=ticket, kind="assistant.triaged").after
    assert why["intent"] == "lost_card" and why["model_version"] == 1 and not why["unsure"]
    assert why["confidence"] > 0.3 and why["team"] == "Cards"
    # Agents see why, on the ticket page.
    page = (
        signed_in(admin)
        .get(reverse("ticket", args=[labelled.slug, ticket.number]))
        .content.decode()
    )
    assert "Routed to <strong>Cards</strong> because: <strong>lost_card</strong>" in page
    assert "Virtual agent read the ticket: intent: lost_card" in page

    # A rule never lowers a priority someone chose: a "low" rule leaves an urgent ticket.
    services.set_rule(labelled, "lost_card", team=cards, priority="low")
    urgent = tickets.create_ticket(
        labelled, by=Actor.of(admin), subject="Stolen card", priority="urgent",
        body="Help, my credit card was stolen this morning", requester=customer,
    )  # fmt: skip
    urgent.refresh_from_db()
    assert (urgent.team, urgent.priority) == (cards, "urgent")
    plain = new_ticket(labelled, customer, "Help, my credit card was stolen this morning")
    plain.refresh_from_db()
    assert plain.priority == "low"  # the default one follows the rule

    # Far from every known intent: unsure, to the default team, no intent written.
    odd = new_ticket(labelled, customer, "Who won the football match last night?")
    odd.refresh_from_db()
    insight = odd.insight
    assert insight.unsure and "intent" not in odd.custom_fields
    assert odd.team == general


def test_a_rule_for_unsure_tickets_wins_over_the_default_team(labelled, admin, customer):
    triage_team = tickets.create_team(labelled, by=Actor.of(admin), name="Triage")
    services.set_rule(labelled, UNSURE, team=triage_team, add_tags=["needs-triage"])
    services.train(labelled, by=admin)
    odd = new_ticket(labelled, customer, "Can you recommend a good pizza place in Rome?")
    odd.refresh_from_db()
    assert odd.team == triage_team and [t.name for t in odd.tags.all()] == ["needs-triage"]


def test_corrections_are_learnt_and_machine_labels_are_not(labelled, admin, agent, customer):
    services.train(labelled, by=admin)
    confirmed = new_ticket(labelled, customer, "my debit card went missing on the train")
    corrected = new_ticket(labelled, customer, "I want to close my account next month")
    left_alone = new_ticket(labelled, customer, "the refund for my parcel never came")
    for t in (confirmed, corrected, left_alone):
        t.refresh_from_db()
        assert t.insight.wrote_label
    # The agent fixes one label (whatever the model said) and leaves the others.
    wrong = "refund" if corrected.custom_fields["intent"] != "refund" else "lost_card"
    tickets.update_ticket(
        corrected, by=Actor.of(agent), changes={"custom_fields": {"intent": wrong}}
    )
    # Another field changed on a ticket is not a verdict on its intent.
    tickets.create_custom_field(labelled, by=Actor.of(agent), key="vip", label="VIP", type="text")
    tickets.update_ticket(left_alone, by=Actor.of(agent), changes={"custom_fields": {"vip": "y"}})
    examples = training_examples(services.settings_for(labelled.pk))
    assert examples.corrections == 1 and examples.left_out == 2
    assert len(examples.texts) == 82
    assert examples.labels[examples.texts.index("I want to close my account next month")] == wrong
    retrained = services.train(labelled, by=admin, force=True)
    assert retrained.report["corrections"] == 1 and retrained.number == 2


def test_bad_training_data_never_replaces_the_active_model(labelled, admin, agent):
    good = services.train(labelled, by=admin)
    services.update_settings(labelled, label_key="intent")
    # Every ticket relabelled to one intent: nothing to learn.
    for t in labelled.tickets.all():
        tickets.update_ticket(
            t, by=Actor.of(agent), changes={"custom_fields": {"intent": "refund"}}
        )
    failed = services.train(labelled, by=admin)
    assert failed.state == "failed" and "label" in failed.report["error"]
    good.refresh_from_db()
    assert good.state == "active"
    assert IntentModelVersion.objects.filter(workspace=labelled, state="active").count() == 1


def test_the_evaluate_command_reports_on_any_csv(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    def write(path, rows, encoding="utf-8"):
        buffer = StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["message", "intent"])
        writer.writerows(rows)
        path.write_bytes(buffer.getvalue().encode(encoding))

    rows = dataset()
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    # Every third row is held out; out-of-scope rows only in the test file, which is in
    # Latin-1 on purpose: the command must read it.
    write(train, [r for i, r in enumerate(rows) if i % 3])
    oos = [("Quel temps fera-t-il à Paris demain ?", "none"), ("book me a table for two", "none")]
    write(test, [r for i, r in enumerate(rows) if not i % 3] + oos, encoding="latin-1")
    out = StringIO()
    call_command(
        "assistant", "evaluate", "--train", str(train), "--test", str(test),
        "--text-column", "message", "--label-column", "intent", "--oos-label", "none",
        "--json", stdout=out,
    )  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["n_test"] == 29 and figures["n_oos"] == 2
    assert figures["inscope_acc"] >= 0.8 and 0 <= figures["oos_recall"] <= 1
    assert figures["latency_p50_ms"] > 0 and figures["train_seconds"] > 0

    with pytest.raises(CommandError, match="missing column.*the file has: message, intent"):
        call_command("assistant", "evaluate", "--train", str(train), "--test", str(test))
    empty = tmp_path / "empty.csv"
    write(empty, [])
    with pytest.raises(CommandError, match="no rows under the header"):
        call_command(
            "assistant", "evaluate", "--train", str(train), "--test", str(empty),
            "--text-column", "message", "--label-column", "intent",
        )  # fmt: skip


def test_csv_files_are_read_in_the_encodings_spreadsheets_save(tmp_path):
    from frontline.assistant.ml.evaluate import read_csv

    text = "text,category\n“Où est ma carte ?” costs 5 €,card_arrival\n"
    for encoding in ("utf-16", "utf-8-sig", "utf-8", "cp1252"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert read_csv(path) == [("“Où est ma carte ?” costs 5 €", "card_arrival")], encoding


def test_a_language_team_gets_the_customers_who_write_in_it(labelled, admin, customer):
    by = Actor.of(admin)
    cards = tickets.create_team(labelled, by=by, name="Cards")
    french = tickets.create_team(labelled, by=by, name="Équipe française")
    services.set_rule(labelled, "lost_card", team=cards)
    services.set_rule(labelled, "language:fr", team=french, add_tags=["fr"])
    services.train(labelled, by=admin)
    english = new_ticket(labelled, customer, "My credit card was stolen this morning, block it")
    francais = new_ticket(
        labelled, customer, "On m'a volé ma carte de crédit ce matin, pouvez-vous la bloquer ?"
    )
    english.refresh_from_db()
    francais.refresh_from_db()
    assert english.team == cards
    assert francais.team == french and "fr" in [t.name for t in francais.tags.all()]
    assert francais.insight.language == "fr"
    # A new customer's language is learnt from how they write; a language set stays.
    ticket = tickets.create_ticket(
        labelled, by=by, subject="Carte bloquée", requester_email="zoe@example.fr",
        body="Bonjour, ma carte est bloquée depuis ce matin, que dois-je faire ?",
    )  # fmt: skip
    ticket.requester.refresh_from_db()
    assert ticket.requester.language == "fr"
    tickets.update_customer(ticket.requester, by=by, changes={"language": "de"})
    new_ticket(labelled, ticket.requester, "Ma carte est encore bloquée aujourd'hui")
    ticket.requester.refresh_from_db()
    assert ticket.requester.language == "de"


def test_a_changed_rule_or_team_routes_the_very_next_ticket(workspace, admin, customer):
    # Triage keeps the rules and settings between tickets (lib.cached); changing them must
    # still take effect at once.
    by = Actor.of(admin)
    paris = tickets.create_team(workspace, by=by, name="Paris")
    lyon = tickets.create_team(workspace, by=by, name="Lyon")
    french = "Bonjour, ma carte est bloquée depuis ce matin, que dois-je faire ?"
    services.set_rule(workspace, "language:fr", team=paris)
    assert new_ticket(workspace, customer, french).team == paris
    services.set_rule(workspace, "language:fr", team=lyon, priority="high")
    moved = new_ticket(workspace, customer, french)
    assert moved.team == lyon and moved.priority == "high"
    tickets.delete_team(lyon, by=by)
    orphan = new_ticket(workspace, customer, french)
    assert orphan.team is None and orphan.priority == "high"
    assert services.triage_settings(workspace.pk).default_team is None
    services.update_settings(workspace, label_source="team", default_team=paris)
    assert services.triage_settings(workspace.pk).default_team == paris


def test_training_warnings_count_in_plain_english():
    from frontline.assistant.ml.intent import _clean

    texts = [f"card {i}" for i in range(5)] + [f"top up {i}" for i in range(5)] + ["pin", ""]
    labels = ["card"] * 5 + ["top_up"] * 5 + ["pin", "pin"]
    *_, warnings = _clean(texts, labels)
    assert warnings == [
        "skipped 1 row with an empty text or label",
        "skipped 1 label with fewer than 5 examples: pin (1)",
    ]
