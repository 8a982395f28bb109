"""IMAP mailboxes and sender rules (owners and admins only). A mailbox password or token
can be set, never read back: responses say only whether one is stored."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from frontline.accounts.models import Role
from frontline.api.auth import Caller, caller
from frontline.api.common import get_or_404
from frontline.api.crud import ERRORS, crud
from frontline.api.schemas import In
from frontline.email import imap, mailboxes, rules
from frontline.email.models import Mailbox
from frontline.email.tasks import fetch_mailbox
from frontline.tickets.events import Actor

router = Router()


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    host: str
    port: int
    security: str
    username: str
    auth: str
    has_secret: bool
    oauth_token_url: str
    oauth_client_id: str
    has_refresh_token: bool
    token_expires_at: datetime | None
    folder: str
    enabled: bool
    poll_seconds: int
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    failures: int
    fetched_total: int


class MailboxIn(In):
    name: str
    address: str = Field(description="The address customers write to")
    host: str
    port: int = 993
    security: str = Field("ssl", description="ssl, starttls or none")
    username: str
    auth: str = Field("password", description="password or oauth2")
    secret: str | None = Field(None, description="The password or OAuth2 access token (write-only)")
    oauth_token_url: str = Field("", description="OAuth2: the provider's token endpoint")
    oauth_client_id: str = ""
    oauth_client_secret: str | None = Field(None, description="write-only")
    oauth_refresh_token: str | None = Field(
        None, description="OAuth2: renews the access token by itself (write-only)"
    )
    folder: str = "INBOX"
    enabled: bool = True
    poll_seconds: int = 60


class MailboxPatch(In):
    name: str | None = None
    address: str | None = None
    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    auth: str | None = None
    secret: str | None = None
    oauth_token_url: str | None = None
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    oauth_refresh_token: str | None = None
    folder: str | None = None
    enabled: bool | None = None
    poll_seconds: int | None = None


class CheckOut(Schema):
    ok: bool
    message: str


def _dict(m: Mailbox) -> dict:
    fields = MailboxOut.model_fields.keys() - {"has_secret", "has_refresh_token"}
    return {k: getattr(m, k) for k in fields} | {
        "has_secret": bool(m.secret),
        "has_refresh_token": bool(m.oauth_refresh_token),
    }


def _admins(c: Caller, obj=None) -> None:
    c.require(Role.ADMIN)


crud(
    router,
    "mailbox",
    "mailboxes",
    queryset=lambda c: Mailbox.objects.filter(workspace=c.workspace),
    to_dict=_dict,
    schemas=(MailboxOut, MailboxIn, MailboxPatch),
    create=lambda c, data: mailboxes.create_mailbox(
        c.workspace, by=Actor.of(c.user), **{k: v for k, v in data.items() if v is not None}
    ),
    update=lambda c, m, data: mailboxes.update_mailbox(m, by=Actor.of(c.user), changes=data),
    delete=lambda c, m: mailboxes.delete_mailbox(m, by=Actor.of(c.user)),
    may_change=_admins,
    may_read=_admins,
)


def _mailbox(request: HttpRequest, pk: int) -> Mailbox:
    c = caller(request)
    _admins(c)
    return get_or_404(Mailbox.objects.filter(workspace=c.workspace), "No such mailbox", pk=pk)


@router.post("/mailboxes/{pk}/check", response={200: CheckOut, **ERRORS}, tags=["mailboxes"])
def check_mailbox(request: HttpRequest, pk: int):
    """Connect, sign in and open the folder now; says what went wrong if it failed."""
    try:
        return {"ok": True, "message": imap.check(_mailbox(request, pk))}
    except ConnectionError as exc:
        return {"ok": False, "message": str(exc)}


@router.post("/mailboxes/{pk}/fetch", response={202: CheckOut, **ERRORS}, tags=["mailboxes"])
def fetch_now(request: HttpRequest, pk: int):
    """Queue a fetch now, whatever the schedule says."""
    mailbox = _mailbox(request, pk)
    fetch_mailbox.enqueue(mailbox.pk)
    return Status(202, {"ok": True, "message": f"Fetching {mailbox.address}"})


# ---- sender rules -------------------------------------------------------------------------


class EmailRulesOut(Schema):
    blocked_senders: list[str]
    allowed_senders: list[str]
    sender_limit_per_hour: int
    webhook_active: bool


class EmailRulesPatch(In):
    blocked_senders: list[str] | None = Field(None, description="Addresses or @domains")
    allowed_senders: list[str] | None = Field(None, description="Always let through")
    sender_limit_per_hour: int | None = Field(None, description="0: no limit")


def _rules_dict(workspace) -> dict:
    current = rules.settings_for(workspace)
    return {
        "blocked_senders": current.blocked_senders.split("\n") if current.blocked_senders else [],
        "allowed_senders": current.allowed_senders.split("\n") if current.allowed_senders else [],
        "sender_limit_per_hour": current.sender_limit_per_hour,
        "webhook_active": bool(current.webhook_token_hash),
    }


@router.get("/email-settings", response={200: EmailRulesOut, **ERRORS}, tags=["mailboxes"])
def get_email_rules(request: HttpRequest):
    c = caller(request)
    _admins(c)
    return _rules_dict(c.workspace)


@router.patch("/email-settings", response={200: EmailRulesOut, **ERRORS}, tags=["mailboxes"])
def update_email_rules(request: HttpRequest, payload: EmailRulesPatch):
    """Who may write by email: block and allow lists, the most messages per sender and
    hour (more are held back for an admin to let through)."""
    c = caller(request)
    _admins(c)
    changes = payload.model_dump(exclude_unset=True)
    for key in ("blocked_senders", "allowed_senders"):
        if key in changes:
            changes[key] = "\n".join(changes[key] or [])
    rules.update_rules(c.workspace, by=Actor.of(c.user), **changes)
    return _rules_dict(c.workspace)
