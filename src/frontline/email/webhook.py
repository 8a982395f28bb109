"""The inbound email webhook: a mail provider (or any program) POSTs a raw MIME message
to /inbound/email/<token>/, where the token (made in the email settings, only its hash
kept) names the workspace. The message is stored before the answer (202), then made into
a ticket by the task worker; a second POST of the same message is stored once.

Accepted bodies: the raw message itself (`message/rfc822`, `application/octet-stream`,
`text/plain`), or a form with the raw message in a field or file named `email`
(SendGrid's Inbound Parse in raw mode), `body-mime` (Mailgun's MIME forwarding) or
`message`.
"""

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from frontline.email import inbound, rules
from frontline.email.models import InboundEmail

FORM_FIELDS = ("email", "body-mime", "message")


def _token_key(group, request) -> str:
    return request.resolver_match.kwargs["token"][:24]


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _raw(request: HttpRequest) -> bytes | JsonResponse:
    limit = settings.FRONTLINE_MAX_EMAIL_BYTES
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name in FORM_FIELDS:
            if name in request.FILES:
                upload = request.FILES[name]
                if upload.size > limit:
                    return _error(413, "too_large", f"The message is over {limit} bytes")
                return upload.read()
            if request.POST.get(name):
                return request.POST[name].encode("utf-8", "surrogateescape")
        return _error(
            400, "no_message", f"Send the raw message in a field named {' or '.join(FORM_FIELDS)}"
        )
    raw = request.read(limit + 1)  # the raw body, not held to the JSON size limit
    if len(raw) > limit:
        return _error(413, "too_large", f"The message is over {limit} bytes")
    return raw


@csrf_exempt  # a machine-to-machine endpoint authenticated by its secret URL
@require_POST
@ratelimit(key=_token_key, rate="600/m", block=False)
def receive(request: HttpRequest, token: str) -> JsonResponse:
    workspace = rules.workspace_for_token(token)
    if workspace is None:
        return _error(404, "unknown_token", "No workspace has this webhook token")
    if getattr(request, "limited", False):
        return _error(429, "rate_limited", "Too many messages; retry in a minute")
    raw = _raw(request)
    if isinstance(raw, JsonResponse):
        return raw
    if not raw.strip():
        return _error(400, "empty", "The request held no message")
    try:
        stored, created = inbound.store(workspace, raw, source="webhook")
    except DatabaseError:  # not stored: the provider must retry
        return _error(503, "not_stored", "The message could not be stored; retry later")
    if created or stored.state == InboundEmail.State.RECEIVED:
        from frontline.email.tasks import process_inbound

        transaction.on_commit(lambda: process_inbound.enqueue(stored.pk))
    return JsonResponse({"id": stored.pk, "duplicate": not created}, status=202)
