"""One-time sign-in links that customers receive by email (no password needed)."""

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
