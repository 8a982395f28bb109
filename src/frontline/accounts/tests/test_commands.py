"""`frontline create-workspace` and `create-user`, as an administrator runs them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from frontline.accounts.models import Membership, User, Workspace
from frontline.accounts.services import authenticate_token


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_user_workspace_owner_and_token(db):
    run(
        "create_user",
        "--email",
        "Boss@Example.com",
        "--name",
        "Bo Ss",
        "--password",
        "a-long-password",
    )
    assert (
        run(
            "create_workspace",
            "--name",
            "Acme",
            "--slug",
            "acme",
            "--time-zone",
            "Europe/Paris",
            "--owner-email",
            "boss@example.com",
        )
        == "acme"
    )
    ws = Workspace.objects.get(slug="acme")
    assert ws.time_zone == "Europe/Paris"
    assert Membership.objects.get(workspace=ws).role == "owner"
    assert User.objects.get(email="boss@example.com").check_password("a-long-password")

    token = run(
        "create_user",
        "--email",
        "bot@example.com",
        "--workspace",
        "acme",
        "--role",
        "agent",
        "--token",
        "ci",
    )
    auth = authenticate_token(token)
    assert (auth.user.email, auth.workspace.slug) == ("bot@example.com", "acme")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create_workspace", "--name", "X", "--slug", "bad slug!"), "slug"),
        (
            ("create_workspace", "--name", "X", "--slug", "x", "--time-zone", "Mars/Olympus"),
            "Unknown time zone",
        ),
        (
            ("create_workspace", "--name", "X", "--slug", "x", "--owner-email", "no@one.test"),
            "No user",
        ),
        (("create_user", "--email", "not-an-email"), "valid email"),
        (("create_user", "--email", "a@b.test", "--password", "short"), "at least 10"),
        (("create_user", "--email", "a@b.test", "--token", "x"), "needs --workspace"),
        (("create_user", "--email", "a@b.test", "--workspace", "nope"), "No workspace"),
    ],
)
def test_bad_arguments_are_clear_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Workspace.objects.exists()


def test_duplicate_slug_is_refused(db):
    run("create_workspace", "--name", "A", "--slug", "same")
    with pytest.raises(CommandError, match="exists already"):
        run("create_workspace", "--name", "B", "--slug", "same")
