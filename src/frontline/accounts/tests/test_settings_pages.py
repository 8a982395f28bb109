"""Owners and admins run the workspace from the settings page; everyone manages their
own API tokens; nobody else changes anything."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from frontline.accounts.models import ApiToken, Membership, User
from frontline.testing.personas import PASSWORD, run_tasks, signed_in
from frontline.tickets.models import Macro, Tag, Team

pytestmark = pytest.mark.django_db(transaction=True)


def act(client, workspace, action, pk=None, **data):
    args = [workspace.slug, action] + ([pk] if pk else [])
    name = "settings_item" if pk else "settings_action"
    client.post(reverse(name, args=args), data)
    return client.get(reverse("settings", args=[workspace.slug])).content.decode()


def test_admin_invites_a_new_person_who_sets_a_password_and_signs_in(admin, workspace):
    page = act(
        signed_in(admin), workspace, "invite", email="nia@acme.test", name="Nia", role="agent"
    )
    assert "Invited nia@acme.test as agent" in page
    user = User.objects.get(email="nia@acme.test")
    assert Membership.objects.get(user=user, workspace=workspace).role == "agent"
    assert not user.has_usable_password()
    run_tasks()
    (invitation,) = mail.outbox
    assert "invited you to Acme Support" in invitation.subject
    link = re.search(r"http://\S+/reset/\S+/", invitation.body).group(0)
    client = Client()
    form = client.get("/" + link.split("/", 3)[3], follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert Client().login(username="nia@acme.test", password=PASSWORD)


def test_admin_changes_roles_but_only_owners_make_owners(admin, owner, agent, workspace):
    client = signed_in(admin)
    m = Membership.objects.get(user=agent, workspace=workspace)
    act(client, workspace, "role", m.pk, role="viewer")
    m.refresh_from_db()
    assert m.role == "viewer"
    page = act(client, workspace, "role", m.pk, role="owner")
    assert "Only an owner can give or take the owner role" in page
    m.refresh_from_db()
    assert m.role == "viewer"
    act(signed_in(owner), workspace, "role", m.pk, role="owner")
    m.refresh_from_db()
    assert m.role == "owner"


def test_the_last_owner_cannot_be_removed(owner, workspace):
    m = Membership.objects.get(user=owner, workspace=workspace)
    page = act(signed_in(owner), workspace, "role", m.pk, role="agent")
    assert "at least one owner" in page
    assert Membership.objects.get(pk=m.pk).role == "owner"


def test_admin_sets_up_teams_tags_macros_and_the_workspace(admin, agent, workspace):
    client = signed_in(admin)
    act(client, workspace, "team", name="Billing")
    team = Team.objects.get(workspace=workspace, name="Billing")
    act(client, workspace, "team-members", team.pk, members=[agent.pk])
    assert list(team.members.all()) == [agent]
    act(client, workspace, "tag", name="VIP customer")
    assert Tag.objects.filter(workspace=workspace, name="vip-customer").exists()
    act(
        client,
        workspace,
        "macro",
        name="Thanks",
        body="Thanks {{requester.first_name}}!",
        status="solved",
        add_tag="thanked",
    )
    macro = Macro.objects.get(workspace=workspace, name="Thanks")
    assert macro.actions == {"status": "solved", "add_tags": ["thanked"]}
    page = act(
        client,
        workspace,
        "workspace",
        name="Acme Help",
        time_zone="Europe/Paris",
        agent_ticket_visibility="own_and_teams",
    )
    workspace.refresh_from_db()
    assert (workspace.name, workspace.time_zone) == ("Acme Help", "Europe/Paris")
    assert workspace.agent_ticket_visibility == "own_and_teams"
    assert "Workspace saved" in page
    bad = act(
        client,
        workspace,
        "workspace",
        name="",
        time_zone="Mars/Olympus",
        agent_ticket_visibility="all",
    )
    assert "A workspace needs a name" in bad


def test_agents_see_only_their_tokens_and_cannot_change_the_workspace(agent, workspace):
    client = signed_in(agent)
    page = client.get(reverse("settings", args=[workspace.slug])).content.decode()
    assert "Your API tokens" in page and "Invite someone" not in page
    response = client.post(reverse("settings_action", args=[workspace.slug, "tag"]), {"name": "x"})
    assert response.status_code == 403
    created = client.post(
        reverse("settings_action", args=[workspace.slug, "token"]), {"name": "CLI"}
    )
    token = re.search(r"fl_[A-Za-z0-9]+_[A-Za-z0-9_-]+", created.content.decode()).group(0)
    assert Client().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    stored = ApiToken.objects.get(user=agent)
    # Shown once: the settings page afterwards has the prefix only.
    assert token not in client.get(reverse("settings", args=[workspace.slug])).content.decode()
    act(client, workspace, "token-revoke", stored.pk)
    assert Client().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_strangers_get_nothing(stranger, workspace):
    client = signed_in(stranger)
    assert client.get(reverse("settings", args=[workspace.slug])).status_code == 404
    response = client.post(reverse("settings_action", args=[workspace.slug, "tag"]), {"name": "x"})
    assert response.status_code == 404
