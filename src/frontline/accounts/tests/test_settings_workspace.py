"""Admins shape the workspace from settings: custom fields, business hours, the logo and
shared views; every member keeps views of their own."""

import struct
import zlib
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frontline.lib import clock
from frontline.testing.personas import signed_in
from frontline.tickets.models import CustomField, SavedView

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, workspace, action, pk=None, **data):
    args = [workspace.slug, action] + ([pk] if pk else [])
    return client.post(reverse("settings_item" if pk else "settings_action", args=args), data)


def settings_page(client, workspace) -> str:
    return client.get(reverse("settings", args=[workspace.slug])).content.decode()


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_admin_defines_edits_and_deletes_custom_fields(admin, workspace):
    client = signed_in(admin)
    post(
        client,
        workspace,
        "field",
        label="Plan",
        type="select",
        choices="Free, Pro\nTeam",
        public="on",
    )
    field = CustomField.objects.get(workspace=workspace, key="plan")
    assert (field.choices, field.public, field.required) == (["Free", "Pro", "Team"], True, False)
    assert "Field Plan created (key plan)" in settings_page(client, workspace)

    post(
        client,
        workspace,
        "field-update",
        field.pk,
        label="Subscription",
        choices="Free, Pro",
        required="on",
    )
    field.refresh_from_db()
    # Unticked boxes are off: the field is no longer public.
    assert (field.label, field.choices, field.required, field.public) == (
        "Subscription",
        ["Free", "Pro"],
        True,
        False,
    )
    post(client, workspace, "field", label="Plan", type="select", choices="")
    assert "a list field needs a non-empty list" in settings_page(client, workspace)

    post(client, workspace, "field-delete", field.pk)
    assert not CustomField.objects.filter(pk=field.pk).exists()


def test_business_hours_are_saved_and_shown_in_the_help_center(admin, workspace, monkeypatch):
    client = signed_in(admin)
    days = {f"hours_{d}": "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    post(client, workspace, "hours", **days, hours_sat="10:00-14:00")
    workspace.refresh_from_db()
    assert workspace.business_hours["sat"] == [["10:00", "14:00"]]
    assert 'value="09:00-17:00"' in settings_page(client, workspace)

    post(client, workspace, "hours", hours_mon="9 to 5")
    assert "is not a range like 09:00-17:00" in settings_page(client, workspace)
    workspace.refresh_from_db()
    assert workspace.business_hours["mon"] == [["09:00", "17:00"]]  # unchanged

    help_center = reverse("portal_home", args=[workspace.slug])
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 29, 12, tzinfo=UTC))  # Sunday
    page = Client().get(help_center).content.decode()
    assert "Mon–Fri 09:00–17:00; Sat 10:00–14:00" in page and "away right now" in page
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 30, 12, tzinfo=UTC))  # Monday
    assert "in now" in Client().get(help_center).content.decode()


def test_the_logo_is_checked_shown_and_removed(admin, agent, workspace):
    client = signed_in(admin)
    post(client, workspace, "logo", logo=SimpleUploadedFile("logo.png", png()))
    workspace.refresh_from_db()
    assert workspace.logo_type == "image/png"
    logo_url = reverse("portal_logo", args=[workspace.slug])
    # Agents see it in the header, customers in the help center; anyone may fetch it.
    assert (
        logo_url in signed_in(agent).get(reverse("inbox", args=[workspace.slug])).content.decode()
    )
    assert logo_url in Client().get(reverse("portal_home", args=[workspace.slug])).content.decode()
    response = Client().get(logo_url)
    assert (
        response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(response.streaming_content) == png()

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    post(client, workspace, "logo", logo=SimpleUploadedFile("logo.svg", svg, "image/svg+xml"))
    assert "must be a PNG, JPEG, GIF or WebP" in settings_page(client, workspace)
    big = png() + b"\0" * (600 * 1024)
    post(client, workspace, "logo", logo=SimpleUploadedFile("big.png", big))
    assert "at most 512 KB" in settings_page(client, workspace)
    workspace.refresh_from_db()
    assert workspace.logo_type == "image/png"  # the good logo stayed

    post(client, workspace, "logo-remove")
    assert Client().get(logo_url).status_code == 404


def test_agents_cannot_change_fields_hours_or_logo(agent, workspace):
    client = signed_in(agent)
    for action, data in [
        ("field", {"label": "X"}),
        ("hours", {"hours_mon": "09:00-10:00"}),
        ("logo-remove", {}),
    ]:
        assert post(client, workspace, action, **data).status_code == 403
    assert not CustomField.objects.filter(workspace=workspace).exists()


def test_members_keep_their_own_views_and_admins_share_them(admin, agent, agent2, workspace):
    agent_client = signed_in(agent)
    # Saved from the inbox search: the new view opens, with its own count.
    inbox = reverse("inbox", args=[workspace.slug])
    page = agent_client.get(inbox, {"view": "open", "q": "refund"}).content.decode()
    assert "Save this search as a view" in page
    response = post(
        agent_client,
        workspace,
        "view",
        name="Refunds",
        query="status:unsolved refund",
        order="relevance",
        open="1",
    )
    view = SavedView.objects.get(name="Refunds")
    assert response["Location"] == f"{inbox}?view=v{view.pk}"
    assert (view.owner, view.order) == (agent, "-updated_at")
    assert "Refunds" in agent_client.get(response["Location"]).content.decode()
    # Nobody else sees a personal view; agents cannot share one or delete another's.
    assert "Refunds" not in signed_in(agent2).get(inbox).content.decode()
    assert (
        post(
            agent_client, workspace, "view", name="All VIP", query="tag:vip", shared="on"
        ).status_code
        == 302
    )
    assert not SavedView.objects.filter(name="All VIP").exists()
    assert post(signed_in(agent2), workspace, "view-delete", view.pk).status_code == 403

    admin_client = signed_in(admin)
    post(admin_client, workspace, "view", name="Urgent", query="priority:urgent", shared="on")
    shared = SavedView.objects.get(name="Urgent")
    assert shared.owner is None
    assert "Urgent" in signed_in(agent2).get(inbox).content.decode()
    assert post(agent_client, workspace, "view-delete", shared.pk).status_code == 403
    post(admin_client, workspace, "view-delete", shared.pk)
    post(agent_client, workspace, "view-delete", view.pk)
    assert not SavedView.objects.exists()


def test_a_bad_view_query_is_refused_with_the_reason(agent, workspace):
    client = signed_in(agent)
    post(client, workspace, "view", name="Broken", query="status:sleeping")
    assert not SavedView.objects.exists()
    assert "Invalid query" in settings_page(client, workspace)
