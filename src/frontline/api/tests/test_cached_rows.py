"""A token's rows and the workspace's teams are cached between requests (lib.cached), yet
every change that matters takes effect on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.accounts.models import Membership, Role
from frontline.accounts.services import (
    change_role,
    create_api_token,
    remove_member,
    revoke_api_token,
)
from frontline.testing.api_client import Api
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _queries(api, path="/users/me"):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    return r.status_code, [q["sql"] for q in ctx.captured_queries]


def test_a_known_token_is_checked_without_asking_the_database(agent, workspace):
    api = Api(create_api_token(workspace, agent, "tests")[1])
    status, first = _queries(api)
    assert status == 200 and any("accounts_apitoken" in q for q in first)
    status, again = _queries(api)
    assert status == 200
    assert not any("accounts_apitoken" in q or "accounts_membership" in q for q in again)


def test_a_cached_token_still_needs_its_secret(agent, workspace):
    _, raw = create_api_token(workspace, agent, "tests")
    assert Api(raw).get("/users/me").status_code == 200  # now cached
    assert Api(raw[:-2] + "xx").get("/users/me").status_code == 401


def test_a_revoked_token_stops_at_once(agent, workspace):
    token, raw = create_api_token(workspace, agent, "tests")
    api = Api(raw)
    assert api.get("/users/me").status_code == 200
    revoke_api_token(token)
    r = api.get("/users/me")
    assert r.status_code == 401 and "revoked" in r.data["message"]


def test_a_removed_member_or_a_lower_role_applies_at_once(agent, workspace, customer):
    api = Api(create_api_token(workspace, agent, "tests")[1])
    body = {"subject": "Hi", "body": "Hello", "requester_email": "a@example.com"}
    assert api.post("/tickets", body).status_code == 201
    membership = Membership.objects.get(user=agent, workspace=workspace)
    change_role(membership, Role.VIEWER)
    assert api.post("/tickets", body).status_code == 403
    remove_member(membership)
    assert api.get("/users/me").status_code == 401


def test_a_deactivated_user_is_refused_at_once(agent, workspace):
    api = Api(create_api_token(workspace, agent, "tests")[1])
    assert api.get("/users/me").status_code == 200
    agent.is_active = False  # as the Django admin does
    agent.save()
    assert api.get("/users/me").status_code == 401


def test_a_new_renamed_or_deleted_team_is_known_to_the_next_create(as_agent, admin, workspace):
    by = Actor.of(admin)

    def create(team):
        body = {"subject": "Hi", "body": "Hello", "requester_email": "a@example.com"}
        return as_agent.post("/tickets", {**body, "team": team})

    assert create("billing").status_code == 422  # and the workspace's teams are now cached
    billing = services.create_team(workspace, by=by, name="Billing")
    r = create("billing")
    assert r.status_code == 201 and r.data["team"]["name"] == "Billing"
    services.update_team(billing, by=by, changes={"name": "Invoices", "slug": "invoices"})
    assert create("billing").status_code == 422
    assert create("invoices").data["team"]["name"] == "Invoices"
    services.delete_team(billing, by=by)
    r = create("invoices")
    assert r.status_code == 422 and "no team 'invoices'" in r.data["details"][0]["message"]


def test_round_robin_assignments_keep_the_cached_teams(as_agent, admin, agent, workspace):
    # Every assignment moves the team's round-robin cursor; that alone must not send every
    # process back to the database for the teams.
    by = Actor.of(admin)
    billing = services.create_team(workspace, by=by, name="Billing")
    services.set_team_members(billing, [agent], by=by)
    body = {"subject": "Hi", "body": "Hello", "requester_email": "a@example.com", "team": "billing"}
    as_agent.post("/tickets", body)  # the first create also stores the assistant's settings
    first = as_agent.post("/tickets", body)  # the teams are now cached
    ticket = Ticket.objects.get(workspace=workspace, number=first.data["number"])
    assert services.assign_round_robin(ticket, billing, by=by) == agent
    with CaptureQueriesContext(connection) as ctx:
        assert as_agent.post("/tickets", body).status_code == 201
    assert not any('FROM "tickets_team"' in q["sql"] for q in ctx.captured_queries)
