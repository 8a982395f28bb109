"""Workspaces, members and API tokens: the only way their state changes.

API tokens look like `fl_<prefix>_<secret>`. Only a SHA-256 of the secret is stored, so a
token is shown once, at creation, and a leaked database does not leak usable tokens.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.accounts import business_hours
from frontline.accounts.models import (
    ROLE_RANK,
    ApiToken,
    Membership,
    Role,
    User,
    Workspace,
    validate_time_zone,
)
from frontline.lib import cached
from frontline.lib.errors import ServiceError, conflict, invalid

TOKEN_PREFIX = "fl_"
MIN_PASSWORD_LENGTH = 10


def create_workspace(name: str, slug: str, *, time_zone: str = "UTC", owner: User | None = None):
    name = (name or "").strip()
    if not name:
        raise invalid("name", "A workspace needs a name")
    try:
        validate_slug(slug)
    except ValidationError:
        raise invalid("slug", "Use letters, numbers, hyphens and underscores only") from None
    try:
        validate_time_zone(time_zone)
    except ValidationError as e:
        raise invalid("time_zone", e.messages[0]) from None
    if Workspace.objects.filter(slug=slug).exists():
        raise conflict(f"A workspace with the slug '{slug}' exists already", "slug_taken")
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=slug, time_zone=time_zone)
        if owner is not None:
            Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


def create_user(email: str, *, name: str = "", password: str | None = None) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise invalid("email", "Enter a valid email address") from None
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise invalid("password", f"Use at least {MIN_PASSWORD_LENGTH} characters")
    if User.objects.filter(email=email).exists():
        raise conflict(f"A user with the email {email} exists already", "email_taken")
    try:
        return User.objects.create_user(email, password, name=name.strip())
    except IntegrityError:
        raise conflict(f"A user with the email {email} exists already", "email_taken") from None


def add_member(workspace: Workspace, user: User, role: str = Role.AGENT) -> Membership:
    if role not in ROLE_RANK:
        raise invalid("role", f"Unknown role '{role}'; use one of {', '.join(ROLE_RANK)}")
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        change_role(membership, role)
    return membership


def change_role(membership: Membership, role: str) -> Membership:
    if role not in ROLE_RANK:
        raise invalid("role", f"Unknown role '{role}'; use one of {', '.join(ROLE_RANK)}")
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_one_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER:
        _keep_one_owner(membership)
    membership.delete()


def _keep_one_owner(membership: Membership) -> None:
    others = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER)
    if not others.exclude(pk=membership.pk).exists():
        raise conflict("A workspace must keep at least one owner", "last_owner")


def update_workspace(workspace: Workspace, **changes) -> Workspace:
    """Change the workspace profile: name, time_zone, agent_ticket_visibility,
    business_hours."""
    unknown = set(changes) - {"name", "time_zone", "agent_ticket_visibility", "business_hours"}
    if unknown:
        raise invalid(sorted(unknown)[0], "is not a workspace setting")
    if "business_hours" in changes:
        changes["business_hours"] = business_hours.clean(changes["business_hours"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"] or len(changes["name"]) > 200:
            raise invalid("name", "A workspace needs a name of at most 200 characters")
    if "time_zone" in changes:
        try:
            validate_time_zone(changes["time_zone"])
        except ValidationError as e:
            raise invalid("time_zone", e.messages[0]) from None
    if (
        "agent_ticket_visibility" in changes
        and changes["agent_ticket_visibility"] not in Workspace.TicketVisibility.values
    ):
        raise invalid("agent_ticket_visibility", "Choose all or own_and_teams")
    for key, value in changes.items():
        setattr(workspace, key, value)
    workspace.save(update_fields=list(changes))
    return workspace


LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_LOGO_BYTES = 512 * 1024


def set_logo(workspace: Workspace, upload: UploadedFile) -> Workspace:
    """Replace the workspace logo. Only PNG, JPEG, GIF or WebP, judged by the content (an
    SVG could carry scripts), up to 512 KB."""
    if not upload.size:
        raise invalid("logo", "The file is empty")
    if upload.size > MAX_LOGO_BYTES:
        raise invalid("logo", "A logo can be at most 512 KB")
    content = upload.read()
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in LOGO_TYPES:
        raise invalid("logo", "A logo must be a PNG, JPEG, GIF or WebP image")
    old = workspace.logo.name
    name = f"{workspace.pk}-{hashlib.sha256(content).hexdigest()[:16]}.{kind.extension}"
    workspace.logo.save(name, ContentFile(content), save=False)
    workspace.logo_type = kind.mime
    workspace.save(update_fields=["logo", "logo_type"])
    if old and old != workspace.logo.name:
        workspace.logo.storage.delete(old)
    return workspace


def remove_logo(workspace: Workspace) -> Workspace:
    if workspace.logo:
        workspace.logo.delete(save=False)
    workspace.logo_type = ""
    workspace.save(update_fields=["logo", "logo_type"])
    return workspace


def invite_member(
    workspace: Workspace, email: str, *, role: str = Role.AGENT, name: str = "", invited_by: User
) -> Membership:
    """Add someone to the workspace by email. A new person gets an account without a
    password and, after commit, an invitation email with a link to choose one."""
    email = (email or "").strip().lower()
    user = User.objects.filter(email=email).first()
    with transaction.atomic():
        if user is None:
            user = create_user(email, name=name)
        if Membership.objects.filter(workspace=workspace, user=user).exists():
            raise conflict(f"{email} is a member already", "already_member")
        membership = add_member(workspace, user, role)
        from frontline.accounts.tasks import send_invitation

        transaction.on_commit(
            lambda: send_invitation.enqueue(user.pk, workspace.pk, invited_by.display_name)
        )
    return membership


def set_availability(membership: Membership, available: bool) -> Membership:
    membership.is_available = available
    membership.save(update_fields=["is_available"])
    return membership


# --- API tokens ---------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(workspace: Workspace, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for a member; returns (token, the plain text shown once)."""
    name = (name or "").strip()
    if not name:
        raise invalid("name", "Give the token a name, so you can recognise it later")
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise invalid("user", "Only members of the workspace can have its tokens")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace=workspace, user=user, name=name[:100], prefix=prefix, secret_hash=_hash(secret)
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def revoke_api_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@dataclass
class TokenAuth:
    token: ApiToken
    user: User
    workspace: Workspace
    membership: Membership | None  # None: the token's user has left the workspace


def _token_key(prefix: str) -> str:
    return f"token:{prefix}"


def _token_rows(prefix: str) -> tuple[ApiToken, Membership | None] | None:
    token = ApiToken.objects.select_related("user", "workspace").filter(prefix=prefix).first()
    if token is None:
        return None
    membership = Membership.objects.filter(
        user_id=token.user_id, workspace_id=token.workspace_id
    ).first()
    return token, membership


def authenticate_token(raw: str) -> TokenAuth:
    """The token's owner and workspace, or ServiceError(401) for anything else.

    The token's rows come from `cached` (the secret is still checked on every call);
    revoking it, or a change to its user, membership or workspace, forgets them."""
    rejected = ServiceError("Invalid or revoked API token", code="invalid_token", status=401)
    if not raw or not raw.startswith(TOKEN_PREFIX):
        raise rejected
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not (prefix and secret):
        raise rejected
    found = cached.read(_token_key(prefix), lambda: _token_rows(prefix))
    if found is None or not hmac.compare_digest(found[0].secret_hash, _hash(secret)):
        raise rejected
    token, membership = found
    if token.revoked_at is not None or not token.user.is_active:
        raise rejected
    # Writing last_used_at on every request would serialise readers on SQLite; a minute's
    # precision is enough to tell which tokens are in use.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        cached.replace(_token_key(prefix), found)
    return TokenAuth(token=token, user=token.user, workspace=token.workspace, membership=membership)


def forget_cached_tokens(sender, instance, **kwargs) -> None:
    """Signal receiver (accounts.apps): a token's cached rows go when the token, its user,
    their membership or the workspace changes or goes."""
    if cached.saved_only(kwargs, "last_login"):
        return  # every sign-in saves the user; nothing a token check reads
    if isinstance(instance, ApiToken):
        prefixes = [instance.prefix]
    else:
        tokens = ApiToken.objects.all()
        if isinstance(instance, Membership):
            tokens = tokens.filter(user_id=instance.user_id, workspace_id=instance.workspace_id)
        elif isinstance(instance, User):
            tokens = tokens.filter(user_id=instance.pk)
        else:
            tokens = tokens.filter(workspace_id=instance.pk)
        prefixes = list(tokens.values_list("prefix", flat=True))
    cached.forget(*[_token_key(p) for p in prefixes])
