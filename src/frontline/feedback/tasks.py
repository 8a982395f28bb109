"""Feedback work done by the task worker."""

from django.tasks import task

from frontline.feedback import services


@task(queue_name="email")
def send_survey(ticket_id: int) -> str:
    """The survey email, hours after a request was solved (workspace setting)."""
    return services.delayed_survey(ticket_id)
