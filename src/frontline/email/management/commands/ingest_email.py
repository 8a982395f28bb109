"""`frontline ingest-email --workspace SLUG < message.eml`: one raw message from standard
input, as a Postfix or Exim pipe delivers it. The message is stored before anything else;
the exit code tells the mail server whether to retry (75, EX_TEMPFAIL) or not."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from frontline.accounts.models import Workspace
from frontline.email import inbound

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw email (MIME) from standard input and turn it into a ticket or reply."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug")

    def handle(self, *args, workspace, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace with the slug {workspace!r}")
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("Standard input was empty: no message to ingest")
        try:
            stored = inbound.receive(found, raw, source="pipe")
        except DatabaseError as exc:  # not stored: the mail server must keep it and retry
            self.stderr.write(f"ingest-email: could not store the message ({exc}); retry later")
            sys.exit(EX_TEMPFAIL)
        result = inbound.process(stored.pk)
        where = f" (ticket #{result.ticket.number})" if result.ticket_id else ""
        detail = result.reason or result.error
        self.stdout.write(
            f"email {result.pk}: {result.get_state_display().lower()}{where}"
            + (f": {detail}" if detail else "")
        )
