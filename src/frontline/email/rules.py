"""Who may write to a workspace by email, and the inbound webhook's token.

Block and allow lists hold one rule per line: an address, or `@example.com` for a whole
domain. An allowed sender is never held back (it wins over the block list and the
limit). The sender limit counts the messages from one address that became tickets or
replies in the last hour; more are held back, not lost: admins can let them through
from the email log.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from frontline.accounts.models import Workspace
from frontline.email.models import EmailSettings, InboundEmail
from frontline.lib import clock
from frontline.lib.errors import invalid
from frontline.tickets.events import Actor
from frontline.tickets.services.rows import save_logged, update_logged

TOKEN_PREFIX = "flin_"
MAX_SENDER_LIMIT = 10_000


def settings_for(workspace: Workspace) -> EmailSettings:
    return EmailSettings.objects.get_or_create(workspace=workspace)[0]


def _rules(text: str, field: str) -> str:
    """Normalised rules text; a line that is neither an address nor @domain is an error."""
    rules = []
    for line in (text or "").splitlines():
        rule = line.strip().lower()
        if not rule:
            continue
        address = f"x{rule}" if rule.startswith("@") else rule
        try:
            validate_email(address)
        except ValidationError:
            raise invalid(field, f"{line.strip()!r} is neither an address nor @domain") from None
        rules.append(rule)
    return "\n".join(dict.fromkeys(rules))


def update_rules(workspace: Workspace, *, by: Actor, **changes) -> EmailSettings:
    unknown = set(changes) - {"blocked_senders", "allowed_senders", "sender_limit_per_hour"}
    if unknown:
        raise invalid(sorted(unknown)[0], "is not an email setting")
    current = settings_for(workspace)
    for field in ("blocked_senders", "allowed_senders"):
        if field in changes:
            changes[field] = _rules(changes[field], field)
    if "sender_limit_per_hour" in changes:
        limit = changes["sender_limit_per_hour"]
        if not isinstance(limit, int) or not 0 <= limit <= MAX_SENDER_LIMIT:
            raise invalid(
                "sender_limit_per_hour", f"must be a number from 0 (no limit) to {MAX_SENDER_LIMIT}"
            )
    return update_logged(current, by, "email_settings.updated", changes)


def _matches(rules: str, address: str) -> bool:
    domain = "@" + address.rpartition("@")[2]
    return any(rule in (address, domain) for rule in rules.split("\n") if rule)


def hold_reason(workspace: Workspace, sender: str) -> str:
    """Why mail from `sender` is held back now, or "" to let it through."""
    rules = settings_for(workspace)
    if _matches(rules.allowed_senders, sender):
        return ""
    if _matches(rules.blocked_senders, sender):
        return "sender is on the block list"
    limit = rules.sender_limit_per_hour
    if limit:
        recent = InboundEmail.objects.filter(
            workspace=workspace,
            sender=sender,
            state=InboundEmail.State.PROCESSED,
            received_at__gte=clock.now() - timedelta(hours=1),
        ).count()
        if recent >= limit:
            return f"more than {limit} messages from this sender in an hour"
    return ""


# ---- inbound webhook token ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_webhook_token(workspace: Workspace, *, by: Actor) -> str:
    """A new token (the old one stops working); shown once, only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    current = settings_for(workspace)
    current.webhook_token_hash = _hash(token)
    current.webhook_token_hint = token[: len(TOKEN_PREFIX) + 4]
    current.webhook_token_created_at = clock.now()
    fields = ["webhook_token_hash", "webhook_token_hint", "webhook_token_created_at"]
    save_logged(current, by, "email_webhook.token_created", fields=fields)
    return token


def revoke_webhook_token(workspace: Workspace, *, by: Actor) -> None:
    current = settings_for(workspace)
    current.webhook_token_hash = current.webhook_token_hint = ""
    current.webhook_token_created_at = None
    fields = ["webhook_token_hash", "webhook_token_hint", "webhook_token_created_at"]
    save_logged(current, by, "email_webhook.token_revoked", fields=fields)


def workspace_for_token(token: str) -> Workspace | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = (
        EmailSettings.objects.filter(webhook_token_hash=_hash(token))
        .select_related("workspace")
        .first()
    )
    return found.workspace if found else None
