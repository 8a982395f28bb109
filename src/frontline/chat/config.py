"""The chat's settings (per workspace), its public widget key and allowed sites, and
the visitor's conversation token."""

from datetime import timedelta

from django.core import signing

from frontline.accounts.models import User, Workspace
from frontline.chat.models import ChatSession, ChatSettings
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets.events import Actor
from frontline.tickets.services.rows import update_logged

SALT = "frontline.chat"
TOKEN_DAYS = 30


def settings_for(workspace: Workspace) -> ChatSettings:
    return ChatSettings.objects.get_or_create(workspace=workspace)[0]


def by_key(key: str) -> ChatSettings:
    """The chat of a widget key; an unknown key or a chat turned off is refused."""
    current = (
        ChatSettings.objects.select_related("workspace").filter(key=key or "").first()
        if key
        else None
    )
    if current is None:
        raise ServiceError("This chat does not exist", code="unknown_key", status=404)
    if not current.enabled:
        raise ServiceError("This chat is turned off", code="chat_off", status=403)
    return current


def origin_allowed(current: ChatSettings, origin: str | None, own: set[str]) -> bool:
    """A browser names the page's origin; only the workspace's sites (and ours) may talk
    to its chat. No origin at all is a program, not a browser page: it has no victims."""
    if not origin:
        return True
    origin = origin.rstrip("/").lower()
    allowed = {o.rstrip("/").lower() for o in current.allowed_origins} | own
    return "*" in allowed or origin in allowed


# ---- the visitor's token ---------------------------------------------------------------


def token_for(session: ChatSession) -> str:
    return signing.dumps({"s": session.pk, "w": session.workspace_id}, salt=SALT)


def session_for(workspace: Workspace, token: str) -> ChatSession:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=timedelta(days=TOKEN_DAYS))
    except signing.BadSignature:
        raise ServiceError("This conversation is not valid", code="bad_token", status=403) from None
    session = (
        ChatSession.objects.select_related("ticket", "ticket__assignee", "customer")
        .filter(pk=data.get("s"), workspace=workspace)
        .first()
    )
    if session is None or data.get("w") != workspace.pk:
        raise ServiceError("This conversation is not valid", code="bad_token", status=403)
    return session


def _origin(value: str) -> str:
    value = value.strip().rstrip("/").lower()
    if value == "*":
        return value
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or "/" in rest or " " in rest:
        raise invalid(
            "allowed_origins", f"“{value}” is not a site address like https://example.com"
        )
    return value


def update_settings(current: ChatSettings, *, by: User, data) -> ChatSettings:
    """From the settings form (a QueryDict or a dict of strings)."""
    try:
        capacity = int(data.get("capacity") or 0)
    except ValueError:
        capacity = 0
    if not 1 <= capacity <= 20:
        raise invalid("capacity", "Chats per agent must be from 1 to 20")
    try:
        reroute_after = int(data.get("reroute_after") or 0)
    except ValueError:
        reroute_after = -1
    if not 0 <= reroute_after <= 60:
        raise invalid("reroute_after", "Minutes before passing a chat on must be from 0 to 60")
    name = (data.get("bot_name") or "").strip()
    if not name or len(name) > 60:
        raise invalid("bot_name", "The virtual agent needs a name of at most 60 characters")
    greeting = (data.get("greeting") or "").strip()
    if len(greeting) > 300:
        raise invalid("greeting", "The greeting can have at most 300 characters")
    origins = [
        _origin(line) for line in (data.get("allowed_origins") or "").splitlines() if line.strip()
    ]
    changes = {
        "enabled": data.get("enabled") == "on",
        "bot_enabled": data.get("bot_enabled") == "on",
        "ask_details": data.get("ask_details") == "on",
        "capacity": capacity,
        "reroute_after": reroute_after,
        "bot_name": name,
        "greeting": greeting,
        "allowed_origins": list(dict.fromkeys(origins)),
    }
    return update_logged(current, Actor.of(by), "chat.settings", changes)


def rotate_key(current: ChatSettings, *, by: User) -> ChatSettings:
    """A new widget key; the old one stops working (pages must be updated)."""
    from frontline.chat.models import new_key

    return update_logged(current, Actor.of(by), "chat.key_rotated", {"key": new_key()})
