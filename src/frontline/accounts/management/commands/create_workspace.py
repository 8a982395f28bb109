from django.core.management.base import BaseCommand, CommandError

from frontline.accounts import services
from frontline.accounts.models import User
from frontline.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Create a workspace (a support organisation), optionally with its owner."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Short name used in URLs")
        parser.add_argument("--time-zone", default="UTC", help="e.g. Europe/Paris")
        parser.add_argument("--owner-email", help="An existing user who becomes the owner")

    def handle(self, *args, name, slug, time_zone, owner_email, **options):
        owner = None
        if owner_email:
            owner = User.objects.filter(email__iexact=owner_email).first()
            if owner is None:
                raise CommandError(f"No user with the email {owner_email}; create-user first")
        try:
            workspace = services.create_workspace(name, slug, time_zone=time_zone, owner=owner)
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(workspace.slug)
