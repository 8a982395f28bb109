"""Validation of ticket custom-field values against the workspace's definitions."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from frontline.lib.errors import FieldError, ServiceError
from frontline.tickets.models import CustomField


def _clean_value(definition: CustomField, value: Any) -> Any:
    """Return the stored form of one value, or raise ValueError with a user-facing reason."""
    kind = definition.type
    if kind == CustomField.Type.TEXT:
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > 2000:
            raise ValueError("must be at most 2000 characters")
        return value.strip()
    if kind == CustomField.Type.NUMBER:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == CustomField.Type.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == CustomField.Type.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("must be a date like 2026-01-31") from None
    if kind == CustomField.Type.SELECT:
        if value not in definition.choices:
            raise ValueError(f"must be one of: {', '.join(map(str, definition.choices))}")
        return value
    if kind == CustomField.Type.MULTISELECT:
        if not isinstance(value, list) or any(v not in definition.choices for v in value):
            raise ValueError(f"must be a list of: {', '.join(map(str, definition.choices))}")
        return sorted(set(value), key=definition.choices.index)
    raise ValueError(f"has an unknown field type {kind}")


def clean_custom_fields(workspace_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial update of custom fields. None (or "") removes a value."""
    if not isinstance(values, dict):
        raise ServiceError(
            "Invalid custom fields",
            details=[FieldError("custom_fields", "must be an object")],
        )
    if not values:
        return {}
    definitions = {
        d.key: d for d in CustomField.objects.filter(workspace_id=workspace_id, key__in=values)
    }
    cleaned: dict[str, Any] = {}
    errors = []
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{key}", "is not a field of this workspace"))
            continue
        if value is None or value == "" or value == []:
            cleaned[key] = None
            continue
        try:
            cleaned[key] = _clean_value(definition, value)
        except ValueError as exc:
            errors.append(FieldError(f"custom_fields.{key}", str(exc)))
    if errors:
        raise ServiceError("Invalid custom fields", details=errors)
    return cleaned


def missing_required(workspace_id: int, values: dict[str, Any]) -> list[str]:
    """Keys of required fields without a value (a ticket cannot be solved without them)."""
    required = CustomField.objects.filter(workspace_id=workspace_id, required=True)
    return [d.key for d in required if values.get(d.key) in (None, "", [])]


# ---- HTML forms ------------------------------------------------------------------------

FORM_PREFIX = "cf_"


def form_values(definitions, post) -> dict[str, Any]:
    """Custom-field values from an HTML form (inputs named cf_<key>), typed for
    clean_custom_fields. Fields the form did not carry are left out, so they keep their
    value; an empty input removes the value."""
    values: dict[str, Any] = {}
    for d in definitions:
        name = FORM_PREFIX + d.key
        if d.type == CustomField.Type.MULTISELECT:
            # A hidden marker says the list was on the form, even with nothing ticked.
            if name + "__present" in post:
                values[d.key] = post.getlist(name)
        elif name in post:
            raw = post[name].strip()
            if d.type == CustomField.Type.BOOLEAN:
                values[d.key] = {"yes": True, "no": False}.get(raw)
            else:
                values[d.key] = raw
    return values


def form_errors(exc: ServiceError) -> dict[str, str]:
    """{field key: message} for showing each custom-field error next to its input."""
    prefix = "custom_fields."
    return {d.field[len(prefix) :]: d.message for d in exc.details if d.field.startswith(prefix)}


def form_rows(definitions, values: dict[str, Any], errors: dict[str, str] | None = None):
    """What the _custom_field_inputs partial needs for each field."""
    errors = errors or {}
    return [
        {
            "field": d,
            "name": FORM_PREFIX + d.key,
            "value": values.get(d.key),
            "error": errors.get(d.key, ""),
        }
        for d in definitions
    ]


def shown_values(definitions, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of the fields that have a value, for read-only display."""
    shown = []
    for d in definitions:
        value = values.get(d.key)
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        shown.append((d.label, str(value)))
    return shown
