"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from granian.utils.proxies import wrap_asgi_with_proxy_headers  # noqa: E402

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
