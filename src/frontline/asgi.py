"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from granian.utils.proxies import wrap_asgi_with_proxy_headers  # noqa: E402

from frontline.assistant import language  # noqa: E402
from frontline.chat.routing import websocket_urlpatterns as chat_urlpatterns  # noqa: E402
from frontline.lib.asgi_handler import PooledThreadsASGIHandler  # noqa: E402
from frontline.tickets.routing import websocket_urlpatterns  # noqa: E402

django_app = PooledThreadsASGIHandler(settings.FRONTLINE_SYNC_THREADS)

# Session-authenticated; a page on another origin cannot open these sockets.
agent_sockets = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
# The chat widget runs on the workspace's own sites: no session, its own origin list.
chat_sockets = URLRouter(chat_urlpatterns)


async def websockets(scope, receive, send):
    app = chat_sockets if scope["path"].startswith("/ws/chat/") else agent_sockets
    return await app(scope, receive, send)


# Behind a reverse proxy the client's address and scheme come from its X-Forwarded-For and
# X-Forwarded-Proto headers, trusted only from the proxies in FORWARDED_ALLOW_IPS.
application = wrap_asgi_with_proxy_headers(
    ProtocolTypeRouter({"http": django_app, "websocket": websockets}),
    trusted_hosts=settings.FORWARDED_ALLOW_IPS,
)


def _settle_process() -> None:
    """Load the URL configuration (every view and the API) and the language detectors'
    models now, not on the first requests (about 0.6 s and up to 2 s), then hide what
    start-up made from the cyclic garbage collector: a full collection walks every tracked
    object, about 200,000 here, and took 110 ms, stalling the worker's request thread and
    every request queued behind it. They live as long as the process anyway."""
    get_resolver().url_patterns  # noqa: B018  (imports the URL modules)
    language.warm_up()
    gc.collect()
    gc.freeze()


_settle_process()
