"""Emails to members, sent by the task worker."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from frontline.accounts.models import User, Workspace


def _choose_password_link(user: User) -> str:
    """Django's one-time password reset link (made in the task, never stored in the queue)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.FRONTLINE_BASE_URL + reverse("password_reset_confirm", args=[uid, token])


@task(queue_name="email")
def send_password_reset(user_id: int) -> None:
    """A password reset link; the token is made here so it is never stored in the queue."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    link = _choose_password_link(user)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        "Reset your Frontline password",
        f"Hello {user.display_name},\n\nSomeone (hopefully you) asked to reset your Frontline "
        f"password. Choose a new one here (the link works for {hours} hour"
        f"{'s' if hours != 1 else ''}, once):\n{link}\n\nIf you did not ask, ignore this email: "
        "your password stays as it is.",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@task(queue_name="email")
def send_invitation(user_id: int, workspace_id: int, inviter: str) -> None:
    """Tell a new member about the workspace; people without a password get a link to
    choose one (the same one-time link as a password reset)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if user is None or workspace is None:
        return
    if user.has_usable_password():
        how = f"Sign in as usual: {settings.FRONTLINE_BASE_URL}{reverse('sign_in')}"
    else:
        how = f"Choose your password here to get started:\n{_choose_password_link(user)}"
    send_mail(
        f"{inviter} invited you to {workspace.name} on Frontline",
        f"Hello {user.display_name},\n\n{inviter} added you to {workspace.name}, where the "
        f"team answers its customers with Frontline.\n\n{how}\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
