"""Periodic jobs: `frontline scheduler` queues each task on its interval; the task worker
runs them. Tasks must be safe to queue twice (several schedulers may run)."""

PERIODIC: list[tuple[str, int]] = [
    # (dotted path of a task, seconds between runs)
    ("frontline.assistant.tasks.retrain_due", 15 * 60),
    # The virtual agent's answer threshold, for workspaces that let verdicts move it.
    ("frontline.assistant.tasks.adjust_bot_thresholds", 24 * 60 * 60),
    # Each mailbox keeps its own interval (and backs off when failing); this only looks.
    ("frontline.email.tasks.poll_mailboxes", 15),
    # Chats routed to an agent who has not answered within the workspace's minutes.
    ("frontline.chat.tasks.reroute_unanswered_chats", 30),
    # The day before each day of Customer Service Week; sent once (recorded).
    ("frontline.people.tasks.send_celebration_reminders", 60 * 60),
    # Workspace downloads are kept a week.
    ("frontline.tickets.tasks.expire_workspace_exports", 6 * 60 * 60),
]

# Long-running threads the scheduler starts beside its loop (dotted path of a Thread
# class); `frontline scheduler --no-idle` leaves them out.
THREADS: list[str] = [
    "frontline.email.idle.Watchers",  # IMAP IDLE: new mail fetched as it arrives
]
