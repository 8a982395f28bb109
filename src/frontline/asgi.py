"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from frontline.lib.asgi_handler import PooledThreadsASGIHandler  # noqa: E402
from frontline.tickets.routing import websocket_urlpatterns  # noqa: E402

django_app = PooledThreadsASGIHandler(settings.FRONTLINE_SYNC_THREADS)

application = ProtocolTypeRouter(
    {
        "http": django_app,
        # Session-authenticated; a page on another origin cannot open these sockets.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
