"""What every endpoint shares: JSON errors, idempotent creates, lookups by id or name."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from frontline.accounts.models import IdempotencyKey, Membership, User
from frontline.api.auth import Caller
from frontline.lib.errors import FieldError, ServiceError, invalid
from frontline.tickets import services
from frontline.tickets.models import Team
from frontline.tickets.search import QueryError

# ---- errors: {"code": ..., "message": ..., "details": [{"field": ..., "message": ...}]} -----


def error_body(code: str, message: str, details: list[FieldError] | None = None) -> dict:
    return {
        "code": code,
        "message": message,
        "details": [{"field": d.field, "message": d.message} for d in details or []],
    }


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return respond(request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        details = [FieldError(_field_name(e.get("loc", ())), e.get("msg", "")) for e in exc.errors]
        return respond(request, 422, "invalid", "The request has invalid fields", details)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or "Not found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, "forbidden", str(exc) or "You may not do this")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {400: "bad_request", 401: "unauthorized", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "error")
        message = str(exc)
        if exc.status_code == 401 and message == "Unauthorized":
            message = "Sign in, or send an API token as 'Authorization: Bearer <token>'"
        if message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON"
        return respond(request, exc.status_code, code, message)

    @api.exception_handler(QueryError)
    def bad_query(request, exc: QueryError):
        return respond(request, 422, "invalid_query", str(exc))


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    # ninja prefixes where the value came from ("body", "query") and the parameter name.
    if parts and parts[0] in ("body", "query", "path", "form", "file", "header"):
        if parts[0] == "body" and len(parts) > 1 and parts[1] == "payload":
            parts = parts[2:]
        else:
            parts = parts[1:]
    return ".".join(parts) or "body"


def json_response(data, status: int = 200) -> HttpResponse:
    """Send already-serialised data as is. The hot endpoints (ticket list, search, create,
    read) use this: ninja's response validation cost ~8 ms per page of 25 tickets. Their
    declared response schemas still document them in OpenAPI, and tests check the shape."""
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder), status=status, content_type="application/json"
    )


# ---- idempotency -------------------------------------------------------------------------


def idempotent(
    request: HttpRequest, c: Caller, payload: Any, create: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `create` once per Idempotency-Key: a retry with the same key and body gets the
    first answer back; the same key with another body is refused (422)."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return create()
    if len(key) > 255:
        raise invalid("Idempotency-Key", "must be at most 255 characters")
    endpoint = f"{request.method} {request.path}"
    body = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder)
    digest = hashlib.sha256(f"{endpoint}\n{body}".encode()).hexdigest()

    def replay(found: IdempotencyKey) -> tuple[int, Any]:
        if found.request_hash != digest:
            raise ServiceError(
                "This Idempotency-Key was used for a different request",
                code="idempotency_key_reused",
                status=422,
            )
        return found.status_code, found.response

    lookup = {"workspace": c.workspace, "user": c.user, "key": key}
    found = IdempotencyKey.objects.filter(**lookup).first()
    if found:
        return replay(found)
    try:
        with transaction.atomic():
            status, response = create()
            stored = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
            IdempotencyKey.objects.create(
                **lookup,
                endpoint=endpoint,
                request_hash=digest,
                status_code=status,
                response=stored,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race; ours was rolled back.
        found = IdempotencyKey.objects.filter(**lookup).first()
        if found is None:
            raise
        return replay(found)
    return status, stored


# ---- lookups -----------------------------------------------------------------------------


def member(c: Caller, ref: str | int | None, field: str = "assignee") -> User | None:
    """A workspace member by id or email; None stays None."""
    if ref is None or ref == "":
        return None
    qs = Membership.objects.filter(workspace=c.workspace).select_related("user")
    if isinstance(ref, int) or str(ref).isdigit():
        m = qs.filter(user_id=int(ref)).first()
    else:
        m = qs.filter(user__email__iexact=str(ref).strip()).first()
    if m is None:
        raise invalid(field, f"{ref} is not a member of this workspace")
    return m.user


def team(c: Caller, ref: str | int | None, field: str = "team") -> Team | None:
    if ref is None or ref == "":
        return None
    key = str(ref).strip().lower()
    by_id = isinstance(ref, int) or key.isdigit()
    found = next(
        (
            t
            for t in services.teams_of(c.workspace.pk)
            if (t.pk == int(key) if by_id else t.slug.lower() == key)
        ),
        None,
    )
    if found is None:
        raise invalid(field, f"there is no team '{ref}' in this workspace")
    return found


def known_params(request: HttpRequest, schema) -> None:
    """Refuse query parameters the endpoint does not read: `?status=open` on the ticket
    list would otherwise quietly list every ticket."""
    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        allowed = ", ".join(schema.model_fields)
        raise invalid(unknown[0], f"unknown query parameter; this endpoint takes {allowed}")


def get_or_404(qs, message: str = "Not found", **lookup):
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404(message)
    return obj
