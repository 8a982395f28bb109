"""Recognition work done by the task worker."""

from django.tasks import task

from frontline.lib import clock
from frontline.people import celebrations


@task()
def send_celebration_reminders() -> int:
    """Queued every hour by the scheduler; each day's reminder goes once (recorded)."""
    today = clock.now().date()
    return sum(celebrations.send_reminder(w, y, d) for w, y, d in celebrations.due_reminders(today))
