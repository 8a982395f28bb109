"""Websockets of the agent workspace: live change notices and who is on a ticket.

/ws/w/<slug>/            change notices for the workspace (only tickets the member may see)
/ws/w/<slug>/t/<number>/ the same, plus presence on that ticket: who is viewing, who is
                         typing, announced to the others and refreshed while connected.

`?since=<unix time>` (when the page read what it shows): if someone else changed that
ticket, or for a list page any ticket the member may see, since then, one change notice
comes at once with `"changes": ["missed"]`, for what happened before the socket could hear
it (while the page loaded, or while the connection was down).

Presence lives only in the channel layer: a newcomer announces itself to the ticket's group
and everyone already there answers it directly, so no state is kept on the server.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404

from frontline.accounts import presence
from frontline.accounts.access import require_role
from frontline.accounts.models import Role, Workspace
from frontline.lib.realtime import member_group, workspace_group
from frontline.tickets.access import access_ticket, sees_all_tickets, visible_tickets
from frontline.tickets.models import Event

PRESENCE_STATES = {"viewing", "typing", "left"}


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


TYPING_SECONDS = 6  # how long "is typing" holds without a new keystroke notice


def typing_key(ticket_id: int) -> str:
    """Who is typing a reply on a ticket, in the cache: for those who cannot hear the
    socket (the chat widget's polling fallback)."""
    return f"ticket-typing:{ticket_id}"


CATCH_UP_MARGIN = timedelta(seconds=2)


def _since(scope) -> datetime | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("since")
    try:
        return datetime.fromtimestamp(float(values[0]), tz=UTC) if values else None
    except (ValueError, OverflowError, OSError):
        return None  # a mangled address: no catching up, the socket still works


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        slug = self.scope["url_route"]["kwargs"]["slug"]
        number = self.scope["url_route"]["kwargs"].get("number")
        try:
            self.workspace, self.sees_all, self.ticket_id = await self._check(user, slug, number)
        except (Http404, PermissionDenied, Workspace.DoesNotExist):
            await self.close(code=4403)
            return
        self.user = user
        self.groups_joined = [
            workspace_group(self.workspace.pk),
            member_group(self.workspace.pk, user.pk),
        ]
        if self.ticket_id:
            self.groups_joined.append(ticket_group(self.ticket_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await database_sync_to_async(presence.mark_online)(self.workspace.pk, user.pk)
        if self.ticket_id:
            await self._announce("viewing")
        since = _since(self.scope)
        if since is not None and await self._changed_since(since):
            await self.send_json({"kind": "change", "id": self.ticket_id, "changes": ["missed"]})

    @database_sync_to_async
    def _changed_since(self, since: datetime) -> bool:
        # An event's time is taken before its transaction commits, so look a little
        # further back than the page's read. The member's own changes are on their page.
        events = Event.objects.filter(created_at__gt=since - CATCH_UP_MARGIN).exclude(
            actor_user=self.user
        )
        if self.ticket_id:
            return events.filter(ticket_id=self.ticket_id).exists()
        # A list page: any ticket of the workspace the member may see (the event_time_idx
        # index walks only the last seconds' events).
        events = events.filter(workspace=self.workspace, ticket__isnull=False)
        if not self.sees_all:
            events = events.filter(ticket__in=visible_tickets(self.user, self.workspace))
        return events.exists()

    @database_sync_to_async
    def _check(self, user, slug, number):
        if user is None or not user.is_authenticated:
            raise PermissionDenied
        workspace = Workspace.objects.get(slug=slug)
        require_role(user, workspace, Role.VIEWER)
        ticket_id = access_ticket(user, workspace, int(number)).pk if number else None
        return workspace, sees_all_tickets(user, workspace), ticket_id

    async def disconnect(self, code):
        if getattr(self, "user", None) is not None:
            # Other open pages of this member say they are here again within 30 s.
            await database_sync_to_async(presence.mark_offline)(self.workspace.pk, self.user.pk)
        if getattr(self, "ticket_id", None):
            await self._announce("left")
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("heartbeat"):
            # Every 30 s while the page is open: the member is here (chat routing).
            await database_sync_to_async(presence.mark_online)(self.workspace.pk, self.user.pk)
            return
        # The browser tells us when its agent starts or stops typing on the ticket.
        state = content.get("presence") if isinstance(content, dict) else None
        if self.ticket_id and state in ("viewing", "typing"):
            await self._announce(state)
            if state == "typing":
                await cache.aset(typing_key(self.ticket_id), self.user.display_name, TYPING_SECONDS)
            else:
                await cache.adelete(typing_key(self.ticket_id))

    async def _announce(self, state: str, to: str | None = None) -> None:
        message = {
            "type": "ticket.presence",
            "user_id": self.user.pk,
            "name": self.user.display_name,
            "state": state,
            "reply_to": self.channel_name if to is None else None,
        }
        if to is None:
            await self.channel_layer.group_send(ticket_group(self.ticket_id), message)
        else:
            await self.channel_layer.send(to, message)

    async def ticket_presence(self, event):
        if event["user_id"] == self.user.pk:
            return
        if event.get("reply_to") and event["state"] == "viewing":
            await self._announce("viewing", to=event["reply_to"])  # let the newcomer know
        await self.send_json(
            {
                "kind": "presence",
                "user_id": event["user_id"],
                "name": event["name"],
                "state": event["state"],
            }
        )

    async def member_notice(self, event):
        await self.send_json({"kind": "notice", **event["payload"]})

    async def workspace_change(self, event):
        payload = event["payload"]
        if not self.sees_all and not await self._may_see(payload.get("id")):
            return
        await self.send_json({"kind": "change", **payload})

    @database_sync_to_async
    def _may_see(self, ticket_id) -> bool:
        return visible_tickets(self.user, self.workspace).filter(pk=ticket_id).exists()
