"""The customer side: the public web form, sign-in (one-time links or an optional
password), the customer's replies.

Plain functions, as everywhere: views call them, tasks send the emails they schedule.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.lib.errors import ServiceError, invalid
from frontline.portal.models import CustomerPassword, PortalLink
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import (
    Channel,
    Customer,
    CustomerEmail,
    CustomField,
    Status,
    Ticket,
)

LINK_LIFETIME = timedelta(minutes=30)
MAX_FILES = 5


def submit_request(
    workspace: Workspace,
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    files: list[UploadedFile] = (),
    custom_fields: dict[str, Any] | None = None,
) -> Ticket:
    """A request from the public web form: the ticket, its files, and (after commit) a
    confirmation email with a link to follow it in the portal. Customers may fill in
    only the custom fields marked public."""
    if not (name or "").strip():
        raise invalid("name", "Tell us your name")
    if len(files) > MAX_FILES:
        raise invalid("attachments", f"at most {MAX_FILES} files")
    custom_fields = custom_fields or {}
    public = set(public_fields(workspace).values_list("key", flat=True))
    if hidden := sorted(set(custom_fields) - public):
        raise invalid(f"custom_fields.{hidden[0]}", "is not a field customers can fill in")
    with transaction.atomic():
        customer = tickets.customer_for_email(workspace, email, name=name.strip())
        attachments = [tickets.store_attachment(workspace, f, by=None) for f in files]
        ticket = tickets.create_ticket(
            workspace,
            by=Actor.of(customer),
            subject=subject,
            body=body,
            requester=customer,
            channel=Channel.WEB,
            attachments=attachments,
            custom_fields=custom_fields,
        )
        _send_link_on_commit(ticket.requester, "confirmation", ticket.number)
    return ticket


def public_fields(workspace: Workspace):
    """The custom fields customers see on the web form and in the portal."""
    return CustomField.objects.filter(workspace=workspace, public=True)


def request_sign_in_link(workspace: Workspace, email: str) -> None:
    """Email a sign-in link if this address belongs to a customer; say nothing either way
    (the page answers the same, so nobody learns who is a customer)."""
    found = (
        CustomerEmail.objects.filter(workspace=workspace, email=(email or "").strip().lower())
        .select_related("customer")
        .first()
    )
    if found is not None:
        with transaction.atomic():
            _send_link_on_commit(found.customer, "sign_in", None)


def _send_link_on_commit(customer: Customer, purpose: str, number: int | None) -> None:
    from frontline.portal.tasks import send_portal_email

    transaction.on_commit(
        lambda: send_portal_email.enqueue(customer.pk, purpose=purpose, ticket_number=number)
    )


def issue_link(customer: Customer) -> str:
    """A new one-time secret for this customer; only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    PortalLink.objects.create(
        workspace_id=customer.workspace_id,
        customer=customer,
        token_hash=_hash(secret),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    return secret


def redeem_link(workspace: Workspace, secret: str) -> Customer:
    """The customer the link was for; the link then stops working."""
    expired = ServiceError(
        "This sign-in link has expired or was already used. Ask for a new one below.",
        code="link_expired",
        status=410,
    )
    with transaction.atomic():
        link = (
            PortalLink.objects.select_for_update()
            .select_related("customer")
            .filter(workspace=workspace, token_hash=_hash(secret or ""))
            .first()
        )
        if link is None or link.used_at is not None or link.expires_at <= clock.now():
            raise expired
        link.used_at = clock.now()
        link.save(update_fields=["used_at"])
    return link.customer


def set_password(customer: Customer, password: str) -> None:
    """Let a signed-in customer choose a password (they proved the address with a link)."""
    try:
        password_validation.validate_password(password or "")
    except ValidationError as exc:
        raise invalid("password", " ".join(exc.messages)) from None
    CustomerPassword.objects.update_or_create(
        customer=customer,
        defaults={"password_hash": make_password(password), "updated_at": clock.now()},
    )


def remove_password(customer: Customer) -> None:
    CustomerPassword.objects.filter(customer=customer).delete()


def sign_in_with_password(workspace: Workspace, email: str, password: str) -> Customer:
    """The customer with this address and password. The same error whether the address is
    unknown, has no password or the password is wrong, and the same work (a hash check)
    in every case, so neither the answer nor its time tells who is a customer."""
    stored = (
        CustomerPassword.objects.filter(
            customer__workspace=workspace,
            customer__emails__email=(email or "").strip().lower(),
        )
        .select_related("customer")
        .first()
    )
    if stored is None:
        make_password(password)  # spend the same time as a real check
    elif check_password(password, stored.password_hash):
        return stored.customer
    raise ServiceError(
        "That email address and password do not match. You can also ask for a sign-in link.",
        code="bad_credentials",
        status=401,
    )


def customer_reply(ticket: Ticket, customer: Customer, body: str, files=()) -> Ticket:
    """The customer answers from the portal; returns the ticket it landed on (a closed
    ticket starts a follow-up)."""
    with transaction.atomic():
        attachments = [
            tickets.store_attachment(ticket.workspace, f, by=None) for f in files[:MAX_FILES]
        ]
        message = tickets.add_customer_message(ticket, customer, body=body, attachments=attachments)
    return message.ticket


def mark_solved(ticket: Ticket, customer: Customer) -> None:
    if ticket.status in (Status.SOLVED, Status.CLOSED):
        return
    tickets.update_ticket(ticket, by=Actor.of(customer), changes={"status": Status.SOLVED})


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
