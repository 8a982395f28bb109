"""Chat work the task worker does on a schedule."""

from django.tasks import task

from frontline.chat.assign import reroute_unanswered
from frontline.chat.models import ChatSession


@task()
def reroute_unanswered_chats() -> int:
    """Every half minute (`frontline scheduler`): chats routed to an agent who has not
    answered in time go to another agent with room. Safe to run twice."""
    workspaces = (
        ChatSession.objects.filter(state=ChatSession.State.ACTIVE, routed=True)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    return sum(reroute_unanswered(workspace_id) for workspace_id in list(workspaces))
