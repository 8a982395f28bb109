"""Training runs in the task worker (queue "ai"), on demand and on a schedule."""

from datetime import timedelta

from django.tasks import task

from frontline.accounts.models import User, Workspace
from frontline.assistant import services
from frontline.assistant.models import AssistantSettings, IntentModelVersion
from frontline.lib import clock
from frontline.tickets.models import Ticket

QUEUED_FOR = timedelta(hours=2)  # a queued training older than this is presumed lost


@task(queue_name="ai")
def train_workspace(workspace_id: int, trigger: str = "manual", user_id: int | None = None):
    workspace = Workspace.objects.get(pk=workspace_id)
    by = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        version = services.train(workspace, trigger=trigger, by=by)
    finally:
        AssistantSettings.objects.filter(workspace_id=workspace_id).update(
            training_requested_at=None
        )
    return {"version": version.number, "state": version.state}


def request_training(workspace: Workspace, *, trigger: str, by: User | None = None) -> bool:
    """Queue a training unless one is already queued. True if queued now."""
    now = clock.now()
    config = services.settings_for(workspace.pk)
    claimed = (
        AssistantSettings.objects.filter(pk=config.pk)
        .exclude(training_requested_at__gt=now - QUEUED_FOR)
        .update(training_requested_at=now)
    )
    if claimed:
        train_workspace.enqueue(workspace.pk, trigger, by.pk if by else None)
    return bool(claimed)


@task(queue_name="ai")
def retrain_due() -> list[int]:
    """Queue a training for every workspace whose model is older than its retraining
    interval and that has new or changed tickets since. Run by `frontline scheduler`."""
    queued = []
    now = clock.now()
    for config in AssistantSettings.objects.filter(enabled=True).select_related("workspace"):
        last = (
            IntentModelVersion.objects.filter(workspace_id=config.workspace_id)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None and last > now - timedelta(hours=config.retrain_every_hours):
            continue
        changed = Ticket.objects.filter(workspace_id=config.workspace_id)
        if last is not None:
            changed = changed.filter(updated_at__gt=last)
        if changed.exists() and request_training(config.workspace, trigger="schedule"):
            queued.append(config.workspace_id)
    return queued


@task(queue_name="ai")
def adjust_bot_thresholds() -> list[int]:
    """Daily, for workspaces that asked for it: the virtual agent's answer threshold follows
    its customers' verdicts. Run by `frontline scheduler`; safe to run twice."""
    moved = []
    for config in AssistantSettings.objects.filter(bot_auto_threshold=True).select_related(
        "workspace"
    ):
        if services.adjust_bot_threshold(config.workspace) is not None:
            moved.append(config.workspace_id)
    return moved


@task(queue_name="ai")
def answer_email(ticket_id: int):
    """The virtual agent's first answer to a new email (assistant.email_answers)."""
    from frontline.assistant.email_answers import answer_first

    ticket = Ticket.objects.select_related("workspace").filter(pk=ticket_id).first()
    turn = answer_first(ticket) if ticket is not None else None
    return {"turn": turn.pk if turn else None, "kind": turn.kind if turn else None}
