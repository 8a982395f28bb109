"""Email work done by the task worker (queue "email")."""

from django.tasks import task

from frontline.email import outbound


@task(queue_name="email")
def send_reply(message_email_id: int) -> str:
    return outbound.send(message_email_id).status
