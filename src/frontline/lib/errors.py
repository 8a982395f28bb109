"""Errors that services raise and the API turns into JSON answers.

A service validates before it writes, so a raised ServiceError means nothing changed.
"""

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class ServiceError(Exception):
    message: str
    code: str = "invalid"
    status: int = 422
    details: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + ": " + "; ".join(f"{d.field}: {d.message}" for d in self.details)


def invalid(field_name: str, message: str) -> ServiceError:
    """One bad field."""
    return ServiceError(f"Invalid {field_name}", details=[FieldError(field_name, message)])


def conflict(message: str, code: str = "conflict") -> ServiceError:
    return ServiceError(message, code=code, status=409)
