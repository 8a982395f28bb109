"""The people every test speaks as (pytest fixtures, loaded by the root conftest).

owner, admin, agent, agent2, viewer: members of `workspace`;
stranger: an agent of `other_workspace`; customer: a requester in `workspace`;
plus `ticket` (the customer's open ticket) and `other_ticket` (in the other workspace).
"""

import pytest

from frontline.accounts.models import Membership, Role, User, Workspace
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Customer

PASSWORD = "correct-horse-battery"


def make_user(workspace: Workspace, email: str, role: str, name: str = "") -> User:
    user = User.objects.create_user(email, PASSWORD, name=name or email.split("@")[0].title())
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def workspace(db) -> Workspace:
    return Workspace.objects.create(name="Acme Support", slug="acme", time_zone="Europe/Paris")


@pytest.fixture
def other_workspace(db) -> Workspace:
    return Workspace.objects.create(name="Globex Help", slug="globex")


@pytest.fixture
def owner(workspace) -> User:
    return make_user(workspace, "olivia@acme.test", Role.OWNER, "Olivia Owner")


@pytest.fixture
def admin(workspace) -> User:
    return make_user(workspace, "adam@acme.test", Role.ADMIN, "Adam Admin")


@pytest.fixture
def agent(workspace) -> User:
    return make_user(workspace, "ava@acme.test", Role.AGENT, "Ava Agent")


@pytest.fixture
def agent2(workspace) -> User:
    return make_user(workspace, "ben@acme.test", Role.AGENT, "Ben Agent")


@pytest.fixture
def viewer(workspace) -> User:
    return make_user(workspace, "vera@acme.test", Role.VIEWER, "Vera Viewer")


@pytest.fixture
def stranger(other_workspace) -> User:
    return make_user(other_workspace, "sam@globex.test", Role.AGENT, "Sam Stranger")


@pytest.fixture
def customer(workspace) -> Customer:
    return services.create_customer(
        workspace, by=Actor.of(None), name="Carla Customer", email="carla@example.com"
    )


@pytest.fixture
def ticket(workspace, customer):
    return services.create_ticket(
        workspace,
        by=Actor.of(customer),
        subject="My card was declined",
        body="Hello, my card was declined at the supermarket today.",
        requester=customer,
        channel="email",
    )


@pytest.fixture
def other_ticket(other_workspace, stranger):
    return services.create_ticket(
        other_workspace,
        by=Actor.of(stranger),
        subject="Globex secret ticket",
        body="Confidential refund request",
        requester_email="gina@globex-customer.test",
    )


def signed_in(user: User):
    """A test client with `user` signed in."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def run_tasks() -> None:
    """What the task worker does: run everything queued, then stop."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", verbosity=0)


@pytest.fixture(autouse=True)
def _no_cached_rows():
    """lib.cached keys rows by id, and SQLite hands the ids of a rolled-back test out again:
    every test starts with an empty cache (rate-limit counts included)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def fresh_rate_limits():
    """Rate limits count in the cache; a test using this starts with none."""
    from django.core.cache import cache

    cache.clear()
