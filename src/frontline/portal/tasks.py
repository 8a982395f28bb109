"""Emails to customers, sent by the task worker (never inside a web request)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse

from frontline.portal.services import LINK_LIFETIME, issue_link
from frontline.tickets.models import Customer


@task(queue_name="email")
def send_portal_email(customer_id: int, purpose: str, ticket_number: int | None = None) -> None:
    """The web form's confirmation ("confirmation") or a sign-in link ("sign_in"), both
    with a fresh one-time link into the customer portal."""
    customer = Customer.objects.select_related("workspace").get(pk=customer_id)
    workspace = customer.workspace
    link = settings.FRONTLINE_BASE_URL + reverse(
        "portal_link", args=[workspace.slug, issue_link(customer)]
    )
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    hello = f"Hello {customer.name or 'there'},"
    if purpose == "confirmation":
        subject = f"[#{ticket_number}] We received your request"
        text = (
            f"{hello}\n\nThank you for contacting {workspace.name}. Your request is ticket "
            f"#{ticket_number}; we will answer as soon as we can.\n\n"
            f"Follow it and reply in our help center (this link works once, for {minutes} "
            f"minutes):\n{link}\n"
        )
    else:
        subject = f"Your sign-in link for {workspace.name}"
        text = (
            f"{hello}\n\nUse this link to see your requests to {workspace.name}. It works "
            f"once, for {minutes} minutes:\n{link}\n\nIf you did not ask for it, ignore this "
            "email."
        )
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [customer.email])
