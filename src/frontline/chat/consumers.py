"""The widget's websocket: /ws/chat/<key>/

Open to visitors of any site the workspace allows (checked against the Origin header,
so another site's page cannot talk to this chat in its visitors' name). Commands are
handled by `protocol.handle`, as over the polling fallback; pushes from the services
arrive through the conversation's group. Typing is passed on without touching the
database: the visitor's to the agents on the ticket page, an agent's to the widget.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from frontline.chat import protocol, services
from frontline.chat.live import visitor_presence
from frontline.lib.errors import ServiceError
from frontline.tickets.consumers import ticket_group

MAX_FRAME = 8192  # characters; a message is at most 2,000


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def own_origins(host: str) -> set[str]:
    """The help desk's own addresses: its base URL and the host the socket came to."""
    own = {settings.FRONTLINE_BASE_URL.rstrip("/").lower()}
    if host:
        own |= {f"http://{host}".lower(), f"https://{host}".lower()}
    return own


class VisitorConsumer(AsyncJsonWebsocketConsumer):
    session = None
    groups_joined: list[str] = []

    async def connect(self):
        key = self.scope["url_route"]["kwargs"]["key"]
        origin = _header(self.scope, b"origin")
        try:
            self.current = await database_sync_to_async(services.by_key)(key)
        except ServiceError as e:
            await self.close(code=4404 if e.status == 404 else 4403, reason=e.message)
            return
        if not services.origin_allowed(
            self.current, origin, own_origins(_header(self.scope, b"host"))
        ):
            await self.close(code=4403, reason="This site may not use this chat")
            return
        self.groups_joined = []
        client = self.scope.get("client") or ("", 0)
        self.ip = client[0] or ""
        await self.accept()

    async def disconnect(self, code):
        for name in self.groups_joined:
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json(
                {"kind": "error", "code": "too_long", "message": "That message is too long"}
            )
            return
        await super().receive(text_data=text_data, **kwargs)

    async def decode_json(self, text_data):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "typing":
            await self._typing(bool(content.get("typing")))
            return
        outcome = await database_sync_to_async(protocol.handle)(
            self.current, self.session, content, ip=self.ip
        )
        if outcome.session is not None:
            await self._join(outcome.session)
        for event in outcome.events:
            await self.send_json(event)

    async def _join(self, session):
        """Listen to the conversation's group, and to its ticket's (typing) once the
        first message opened it; a new conversation replaces the old one."""
        wanted = [services.group(session.pk)]
        if session.ticket_id:
            wanted.append(ticket_group(session.ticket_id))
        for name in set(self.groups_joined) - set(wanted):
            await self.channel_layer.group_discard(name, self.channel_name)
        for name in set(wanted) - set(self.groups_joined):
            await self.channel_layer.group_add(name, self.channel_name)
        self.session, self.groups_joined = session, wanted

    async def _typing(self, typing: bool):
        if self.session is None:
            return
        if not self.session.ticket_id:
            return  # nobody to tell before the first message
        await self.channel_layer.group_send(
            ticket_group(self.session.ticket_id), visitor_presence(self.session, typing)
        )

    async def chat_event(self, event):
        await self.send_json(event["payload"])

    async def ticket_presence(self, event):
        # Agents typing on the chat's ticket page; the visitor's own echo is skipped.
        if str(event["user_id"]).startswith("visitor-") or event["state"] not in (
            "typing",
            "viewing",
            "left",
        ):
            return
        await self.send_json(
            {"kind": "typing", "name": event["name"], "typing": event["state"] == "typing"}
        )
