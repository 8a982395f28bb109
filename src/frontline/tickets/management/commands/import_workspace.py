import sys

from django.core.management.base import BaseCommand, CommandError

from frontline.tickets.portability import ImportFailed, import_workspace

SKIP = {"frontline-export", "workspace"}


class Command(BaseCommand):
    help = "Import a JSON-lines export as a new workspace (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export file, or - for stdin")
        parser.add_argument("--slug", help="Import under another slug")

    def handle(self, *args, file, slug, **options):
        counts: dict[str, int] = {}
        try:
            if file == "-":
                workspace = import_workspace(sys.stdin, slug=slug, counts=counts)
            else:
                with open(file, encoding="utf-8") as f:
                    workspace = import_workspace(f, slug=slug, counts=counts)
        except (ImportFailed, OSError) as exc:
            raise CommandError(f"Nothing was imported: {exc}") from None
        shown = [f"{n} {kind}" for kind, n in counts.items() if kind not in SKIP]
        self.stderr.write(f"imported {workspace.slug}: " + ", ".join(shown))
        if counts.get("kb_article"):
            self.stderr.write(
                "the knowledge base's passages (for questions in the help center and the "
                "virtual agent) are rebuilt by the task worker: frontline serve or worker"
            )
        self.stdout.write(workspace.slug)
