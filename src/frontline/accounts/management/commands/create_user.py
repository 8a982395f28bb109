import os

from django.core.management.base import BaseCommand, CommandError

from frontline.accounts import services
from frontline.accounts.models import ROLE_RANK, User, Workspace
from frontline.lib.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Create a user (or reuse one, with --workspace), make them a member with a role, "
        "and optionally print a new API token. The password comes from --password or the "
        "FRONTLINE_PASSWORD environment variable (safer: not in the shell history)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--password")
        parser.add_argument("--workspace", help="Slug of the workspace to join")
        parser.add_argument("--role", default="agent", choices=list(ROLE_RANK))
        parser.add_argument("--superuser", action="store_true", help="May use /admin/")
        parser.add_argument("--token", metavar="NAME", help="Also create an API token")

    def handle(self, *args, **o):
        password = o["password"] or os.environ.get("FRONTLINE_PASSWORD")
        workspace = None
        if o["workspace"]:
            workspace = Workspace.objects.filter(slug=o["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace with the slug {o['workspace']}")
        elif o["token"]:
            raise CommandError("--token needs --workspace (a token belongs to one workspace)")
        try:
            user = User.objects.filter(email__iexact=o["email"].strip()).first()
            if user is None or workspace is None:
                user = services.create_user(o["email"], name=o["name"], password=password)
                self.stderr.write(f"created user {user.email}")
            if o["superuser"]:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            if workspace is not None:
                services.add_member(workspace, user, o["role"])
                self.stderr.write(f"{user.email} is {o['role']} of {workspace.slug}")
                if o["token"]:
                    _, secret = services.create_api_token(workspace, user, o["token"])
                    self.stdout.write(secret)
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
