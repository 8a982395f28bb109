"""`frontline fetch-email [--workspace SLUG] [--mailbox ID]`: fetch IMAP mailboxes now
(what the scheduler and the worker do every minute), printing what each fetch did.
Useful from cron on set-ups without the scheduler, and to check a mailbox by hand."""

from django.core.management.base import BaseCommand, CommandError

from frontline.email import imap
from frontline.email.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the IMAP mailboxes and turn it into tickets and replies."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Only this workspace's mailboxes (slug)")
        parser.add_argument("--mailbox", type=int, help="Only this mailbox (id)")

    def handle(self, *args, workspace=None, mailbox=None, **options):
        boxes = Mailbox.objects.select_related("workspace").filter(enabled=True)
        if workspace:
            boxes = boxes.filter(workspace__slug=workspace)
        if mailbox:
            boxes = boxes.filter(pk=mailbox)
        if not boxes:
            raise CommandError("No enabled mailbox matches")
        failed = False
        for box in boxes:
            report = imap.fetch(box)
            self.stdout.write(
                f"{box.workspace.slug}/{box.name}: {report.stored} new, "
                f"{report.duplicates} already stored, {report.processed} processed"
                + (f"; error: {report.error}" if report.error else "")
            )
            failed = failed or bool(report.error)
        if failed:
            raise CommandError("At least one mailbox could not be fetched (see above)")
