"""Who may do what in a workspace. Every view and API endpoint goes through these.

Rule: another workspace's data is always "not found" (404), never "forbidden", so its
existence is not revealed; a known object the user may not change is 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from frontline.accounts.models import ROLE_RANK, Membership, Role, User, Workspace


def membership(user: User, workspace: Workspace) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = user._membership_cache = {}
    if workspace.pk not in cache:
        cache[workspace.pk] = Membership.objects.filter(user=user, workspace=workspace).first()
    return cache[workspace.pk]


def require_role(user: User, workspace: Workspace, minimum: str = Role.VIEWER) -> Membership:
    """The user's membership, if their role is at least `minimum`; else 404/403."""
    m = membership(user, workspace)
    if m is None:
        raise Http404("No such workspace")
    if ROLE_RANK[m.role] < ROLE_RANK[minimum]:
        raise PermissionDenied(f"This needs the {minimum} role or higher")
    return m


def workspace_member(
    user: User, slug: str, minimum: str = Role.VIEWER
) -> tuple[Workspace, Membership]:
    """The workspace named by a URL slug and the user's membership of it (404 when either
    is missing, 403 below `minimum`): the first line of every workspace page."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404("No such workspace")
    return workspace, require_role(user, workspace, minimum)


def agent_memberships(workspace: Workspace):
    """Memberships of the people who may work tickets (agents and up)."""
    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.AGENT]]
    return Membership.objects.filter(workspace=workspace, role__in=roles).select_related("user")


def can_manage(user: User, workspace: Workspace) -> bool:
    m = membership(user, workspace)
    return m is not None and m.has_role(Role.ADMIN)
