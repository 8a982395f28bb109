"""Who is calling the API, and as which workspace.

Two ways in: a personal API token (`Authorization: Bearer fl_…`, bound to one
workspace) or the browser session of a signed-in member (CSRF-checked by django-ninja
for unsafe methods; the workspace comes from the `X-Workspace` header, or is the
member's only workspace).
"""

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from frontline.accounts.access import require_role
from frontline.accounts.models import ApiToken, Membership, Role, User, Workspace
from frontline.accounts.services import authenticate_token
from frontline.lib.errors import ServiceError


@dataclass
class Caller:
    user: User
    workspace: Workspace
    membership: Membership
    token: ApiToken | None = None

    def require(self, role: str) -> None:
        require_role(self.user, self.workspace, role)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        try:
            found = authenticate_token(token)
        except ServiceError as exc:
            raise AuthenticationError(401, exc.message) from None
        membership = found.membership
        if membership is None:
            raise AuthenticationError(401, "This token's user is no longer a member")
        found.user._membership_cache = {found.workspace.pk: membership}
        return Caller(found.user, found.workspace, membership, found.token)


class WorkspaceSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        memberships = Membership.objects.filter(user=user).select_related("workspace")
        slug = request.headers.get("X-Workspace")
        if slug:
            memberships = memberships.filter(workspace__slug=slug)
        found = list(memberships[:2])
        if not found:
            raise AuthenticationError(401, "You are not a member of this workspace")
        if len(found) > 1:
            raise AuthenticationError(
                401, "You belong to several workspaces: name one in the X-Workspace header"
            )
        m = found[0]
        user._membership_cache = {m.workspace_id: m}
        return Caller(user, m.workspace, m)


AUTH = [TokenAuth(), WorkspaceSession()]


def caller(request: HttpRequest, minimum: str = Role.VIEWER) -> Caller:
    """The authenticated caller, checked for at least the `minimum` role (403 otherwise)."""
    c: Caller = request.auth
    c.require(minimum)
    return c
