import sys

from django.core.management.base import BaseCommand, CommandError

from frontline.accounts.models import Workspace
from frontline.tickets.portability import write_export


class Command(BaseCommand):
    help = "Export a workspace (everything but passwords and tokens) as JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", default="-", help="A file, or - for stdout")

    def handle(self, *args, slug, output, **options):
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {slug}")
        if output == "-":
            count = write_export(workspace, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8") as f:
                count = write_export(workspace, f)
        self.stderr.write(f"exported {count} lines")
