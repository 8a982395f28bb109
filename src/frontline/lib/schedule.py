"""Periodic jobs: `frontline scheduler` queues each task on its interval; the task worker
runs them. Tasks must be safe to queue twice (several schedulers may run)."""

PERIODIC: list[tuple[str, int]] = [
    # (dotted path of a task, seconds between runs)
    ("frontline.assistant.tasks.retrain_due", 15 * 60),
]
