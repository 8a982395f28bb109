"""Refuse oversized API bodies up front with a JSON 413 (Django's own check answers with
a bare HTML 400 wherever the body is first read).

A plain sync middleware: the whole chain runs on the request's sync thread (see
frontline.lib.asgi_handler)."""

from django.conf import settings
from django.http import JsonResponse

from frontline.api.common import error_body


class ApiBodyLimit:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._refusal(request) or self.get_response(request)

    def _refusal(self, request) -> JsonResponse | None:
        if not (request.path.startswith("/api/") and _too_big(request)):
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = f"The request body is over {limit} MB; upload files to /api/attachments"
        return JsonResponse(error_body("too_large", message), status=413)


def _too_big(request) -> bool:
    # Multipart uploads stream to disk and have their own limit (attachments service).
    if request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
