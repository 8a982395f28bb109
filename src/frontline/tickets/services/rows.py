"""Saving workspace configuration rows (teams, tags, mailboxes, ...) the same way:
fields checked, every change logged as an Event, a uniqueness clash turned into a 409."""

from typing import Any

from django.db import IntegrityError, models, transaction

from frontline.lib.errors import conflict, invalid
from frontline.tickets.events import Actor, event, record


def clean_text(data: dict, key: str, limit: int, *, required: bool = False) -> None:
    if key in data:
        data[key] = (data[key] or "").strip()
        if len(data[key]) > limit:
            raise invalid(key, f"must be at most {limit} characters")
    if required and not data.get(key):
        raise invalid(key, "is required")


def only_fields(data: dict, allowed: set[str], what: str) -> dict:
    unknown = set(data) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], f"is not a {what} field")
    return dict(data)


def save_logged(obj: models.Model, by: Actor, kind: str, *, fields=None, before=None, after=None):
    """Save a configuration object and log it; a uniqueness clash becomes a 409."""
    try:
        with transaction.atomic():
            obj.save(update_fields=fields) if fields else obj.save()
            record(
                [
                    event(
                        obj.workspace_id,
                        by,
                        kind,
                        before=before,
                        after={"id": obj.pk, **(after or {})},
                    )
                ]
            )
    except IntegrityError:
        raise conflict(
            f"That {kind.split('.')[0].replace('_', ' ')} already exists", code="duplicate"
        ) from None
    return obj


def update_logged(obj: models.Model, by: Actor, kind: str, data: dict[str, Any]):
    before = {k: getattr(obj, k) for k in data}
    for key, value in data.items():
        setattr(obj, key, value)
    return save_logged(obj, by, kind, fields=list(data), before=before, after=data)


def delete_logged(obj: models.Model, by: Actor, kind: str) -> None:
    with transaction.atomic():
        record([event(obj.workspace_id, by, kind, before={"id": obj.pk, "name": str(obj)})])
        obj.delete()
