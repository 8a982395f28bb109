"""The `frontline` command: a thin front over Django's management commands.

frontline serve            ASGI server, a task worker and the scheduler together
frontline worker           a task worker only
frontline scheduler        queues periodic tasks (model retraining)
frontline assistant train|evaluate   the AI triage's models
frontline ingest-email --workspace SLUG < message.eml   one email from a mail server pipe
frontline fetch-email [--workspace SLUG] [--mailbox ID]   fetch IMAP mailboxes now
frontline migrate          apply database migrations
frontline create-workspace / create-user / seed-demo / export / import
frontline <any Django management command>
"""

import os
import sys

ALIASES = {
    "create-workspace": "create_workspace",
    "create-user": "create_user",
    "seed-demo": "seed_demo",
    "worker": "db_worker",
    "export": "export_workspace",
    "import": "import_workspace",
    "ingest-email": "ingest_email",
    "fetch-email": "fetch_email",
}


# A worker works every queue (training is on "ai", mail on "email") unless told otherwise;
# Django's db_worker alone would take only "default".
DEFAULT_OPTIONS = {"worker": ["--queue-name", "*"]}


def django_argv(argv: list[str]) -> list[str]:
    """`frontline …` as the Django management command line it stands for."""
    argv = ["frontline", *argv[1:]]
    if len(argv) > 1:
        name = argv[1]
        argv[1] = ALIASES.get(name, name)
        extra = DEFAULT_OPTIONS.get(name, [])
        if extra and not any(a.startswith(extra[0]) for a in argv[2:]):
            argv[2:2] = extra
    return argv


def main(argv: list[str] | None = None) -> None:
    argv = django_argv(list(sys.argv if argv is None else argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
