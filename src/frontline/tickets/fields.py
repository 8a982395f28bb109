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
