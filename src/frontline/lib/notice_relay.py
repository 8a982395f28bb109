"""Change notices from the task worker to browsers when there is no Redis.

The embedded default runs the web server and the task worker as separate processes with
the in-memory channel layer, which cannot cross processes: a ticket made by the worker
(an email fetched, say) would not show up live. `frontline serve` tells its children the
web server's loopback address; `realtime.publish` in a child then posts the notice there,
signed with a key derived from SECRET_KEY, and the web server publishes it. With
REDIS_URL the channel layer is shared and this relay is not used.
"""

import json
import logging
import os
import urllib.request

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

log = logging.getLogger(__name__)
ENV = "FRONTLINE_NOTICE_RELAY"  # set by `frontline serve` for its children
PATH = "/-/notices"
HEADER = "X-Frontline-Relay"


def _signature() -> str:
    return salted_hmac("frontline.notice-relay", "v1", algorithm="sha256").hexdigest()


def relay_url() -> str:
    return os.environ.get(ENV, "")


def send(workspace_id: int, payload: dict) -> None:
    """Best effort, like every notice: a web server that is down misses a refresh."""
    body = json.dumps({"workspace_id": workspace_id, "payload": payload}).encode()
    request = urllib.request.Request(  # noqa: S310 - our own loopback address
        relay_url(),
        data=body,
        headers={"Content-Type": "application/json", HEADER: _signature()},
    )
    try:
        urllib.request.urlopen(request, timeout=2).close()  # noqa: S310
    except OSError as exc:
        log.warning("could not relay a change notice: %s", exc)


@csrf_exempt  # signed with the server's key and accepted from loopback only
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    from frontline.lib import realtime

    loopback = request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")
    if not loopback or not constant_time_compare(request.headers.get(HEADER, ""), _signature()):
        return HttpResponse(status=403)
    try:
        data = json.loads(request.body)
        workspace_id, payload = int(data["workspace_id"]), dict(data["payload"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("bad notice", status=400)
    realtime.publish(workspace_id, payload)
    return HttpResponse(status=204)
