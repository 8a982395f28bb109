import sys

from django.core.management.base import BaseCommand, CommandError

from frontline.tickets.portability import ImportFailed, import_workspace


class Command(BaseCommand):
    help = "Import a JSON-lines export as a new workspace (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export file, or - for stdin")
        parser.add_argument("--slug", help="Import under another slug")

    def handle(self, *args, file, slug, **options):
        try:
            if file == "-":
                workspace = import_workspace(sys.stdin, slug=slug)
            else:
                with open(file, encoding="utf-8") as f:
                    workspace = import_workspace(f, slug=slug)
        except (ImportFailed, OSError) as exc:
            raise CommandError(f"Nothing was imported: {exc}") from None
        self.stdout.write(workspace.slug)
