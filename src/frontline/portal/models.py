"""How customers sign in to the help center: one-time links sent by email (no password
needed), or a password they chose after signing in with a link."""

from django.db import models

from frontline.accounts.models import Workspace
from frontline.tickets.models import Customer


class PortalLink(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="portal_links")
    # sha256 of the secret in the link; the secret itself is only ever in the email.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class CustomerPassword(models.Model):
    """A customer's optional help-center password (a Django password hash)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="password")
    password_hash = models.CharField(max_length=256)
    updated_at = models.DateTimeField()
