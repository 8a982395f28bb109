"""The tickets app's background jobs."""

from django.tasks import task

from frontline.tickets import portability
from frontline.tickets.models import WorkspaceExport


@task()
def write_workspace_export(export_id: int) -> str:
    export = (
        WorkspaceExport.objects.filter(pk=export_id, state=WorkspaceExport.State.QUEUED)
        .select_related("workspace")
        .first()
    )
    if export is None:
        return "nothing to write"  # done already (the task ran twice) or expired
    portability.write_requested_export(export)
    return export.state


@task()
def expire_workspace_exports() -> int:
    return portability.expire_exports()
