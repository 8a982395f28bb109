"""lib.insert: rows saved by the create path's INSERT read back as objects.create saves them."""

from datetime import UTC, datetime

import pytest
from django.db.models import F
from django.db.models.signals import post_save
from django.forms.models import model_to_dict

from frontline.lib.insert import BATCH, insert, insert_all
from frontline.tickets.events import Actor, event
from frontline.tickets.models import Customer, Event, Ticket

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def _ticket(workspace, customer, number, **extra):
    return Ticket(
        workspace=workspace,
        number=number,
        subject="Card «blocked» — again",
        requester=customer,
        custom_fields={"order": "A-17", "amount": 12.5, "tags": ["x", "y"], "ok": True},
        created_at=WHEN,
        updated_at=WHEN,
        **extra,
    )


def test_an_inserted_row_reads_back_like_a_created_one(workspace, customer, agent):
    by_insert = insert(_ticket(workspace, customer, 901, assignee=agent))
    by_create = Ticket.objects.create(
        **_field_values(_ticket(workspace, customer, 902, assignee=agent))
    )
    first, second = (Ticket.objects.get(pk=t.pk) for t in (by_insert, by_create))
    assert first.pk and not by_insert._state.adding
    assert model_to_dict(first, exclude=["id", "number"]) == model_to_dict(
        second, exclude=["id", "number"]
    )
    assert first.created_at == WHEN and first.custom_fields["tags"] == ["x", "y"]


def test_many_rows_get_their_own_keys_in_order_past_one_statement(workspace, agent):
    events = [
        event(workspace.pk, Actor.of(agent), f"test.{i}", after={"i": i})
        for i in range(BATCH * 2 + 5)
    ]
    insert_all(events)
    saved = dict(Event.objects.filter(kind__startswith="test.").values_list("pk", "after"))
    assert [saved[e.pk] for e in events] == [{"i": i} for i in range(len(events))]


def test_what_insert_cannot_save_is_refused(workspace, customer, agent):
    with pytest.raises(TypeError, match="one model"):
        insert_all([_ticket(workspace, customer, 903), Customer(workspace=workspace)])
    with pytest.raises(TypeError, match="expressions"):
        insert(_ticket(workspace, customer, F("number") + 1))
    assert not Ticket.objects.filter(number__in=[903]).exists()


def test_a_model_with_save_receivers_is_refused(workspace, customer):
    # insert() sends no signals: a receiver added later must not be skipped silently.
    def receiver(**kwargs):
        pass

    post_save.connect(receiver, sender=Ticket, weak=False)
    try:
        with pytest.raises(TypeError, match="receivers"):
            insert(_ticket(workspace, customer, 904))
    finally:
        post_save.disconnect(receiver, sender=Ticket)
    assert insert(_ticket(workspace, customer, 904)).pk


def _field_values(obj):
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname != "id"
    }
