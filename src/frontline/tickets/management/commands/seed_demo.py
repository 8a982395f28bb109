import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frontline.accounts.models import Workspace
from frontline.assistant import demo as assistant_demo
from frontline.feedback import demo as feedback_demo
from frontline.knowledge import demo as kb_demo
from frontline.lib import clock
from frontline.people import demo as people_demo
from frontline.tickets import demo


class Command(BaseCommand):
    help = "Create the demo workspace (a bank's support team with a few months of tickets)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any workspace exists"
        )
        parser.add_argument("--tickets", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, if_empty, tickets, seed, **options):
        if Workspace.objects.exists() and if_empty:
            self.stderr.write("seed-demo: a workspace exists already; nothing to do")
            return
        if Workspace.objects.filter(slug=demo.SLUG).exists():
            raise CommandError(f"The workspace '{demo.SLUG}' exists already")
        password = os.environ.get("FRONTLINE_DEMO_PASSWORD", demo.DEFAULT_PASSWORD)
        began = time.monotonic()

        def progress(done, total):
            self.stderr.write(f"\rseed-demo: {done}/{total} tickets", ending="")

        # History: its customers and agents were answered and notified back then, so the
        # worker must not email thousands of them on the first run.
        with clock.recording_history():
            workspace = demo.create_demo(
                tickets=tickets,
                seed=seed,
                password=password,
                progress=progress,
                answers=assistant_demo.answers(),
            )
            owner = workspace.memberships.filter(role="owner").first()
            # Customers' ratings, then the team's kudos and the owner's say on their praise.
            feedback_demo.seed(workspace, seed=seed)
            people_demo.seed(workspace, owner.user if owner else None, seed=seed)
        kb_demo.seed(workspace, owner.user if owner else None)
        assistant_demo.seed_help_center(workspace, owner.user if owner else None)
        # Indexed now, not by the worker later: the virtual agent answers from the start.
        from frontline.knowledge import retrieval
        from frontline.knowledge.models import Article

        for article in Article.objects.filter(workspace=workspace):
            retrieval.index(article)
        kb_demo.seed_readers(workspace, seed=seed)  # views, votes, searches: uses the index
        self.stderr.write("\nseed-demo: training the assistant on the demo history…", ending="")
        version = assistant_demo.prepare(workspace)
        if version is not None:
            self.stderr.write(f" model v{version.number}: {version.get_state_display().lower()}")
        assistant_demo.seed_questions(workspace, seed=seed)  # its virtual agent's month
        from frontline.chat.services import settings_for as chat_settings

        chat = chat_settings(workspace)  # the chat widget, with its sample page
        self.stderr.write(
            f"\nseed-demo: chat widget on a sample page at "
            f"{settings.FRONTLINE_BASE_URL}/chat/{chat.key}/demo/"
        )
        self.stderr.write(
            f"\nseed-demo: demo workspace ready in {time.monotonic() - began:.0f} s; sign in as "
            f"{demo.OWNER_EMAIL}"
        )
