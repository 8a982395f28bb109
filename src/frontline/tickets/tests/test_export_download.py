"""An owner exports the whole workspace from the settings page: the task worker writes
the file, the owner downloads it, `frontline import` reads it back, and it is gone after
a week. Only owners may: the file holds every customer's data."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.testing.personas import run_tasks, signed_in
from frontline.tickets import portability
from frontline.tickets.models import Event, Ticket, WorkspaceExport

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's task is queued on commit


# The test client reads the async stream whole (and says so); the ASGI server streams it.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous")
def test_an_owner_exports_downloads_and_the_copy_imports(owner, workspace, ticket):
    client = signed_in(owner)
    asked = client.post(reverse("settings_action", args=[workspace.slug, "export"]), follow=True)
    assert "being written" in asked.content.decode()
    again = client.post(reverse("settings_action", args=[workspace.slug, "export"]), follow=True)
    assert "being written already" in again.content.decode()  # one at a time
    assert WorkspaceExport.objects.count() == 1
    run_tasks()

    export = WorkspaceExport.objects.get()
    assert export.state == "done" and export.lines > 5 and export.size > 0
    page = client.get(reverse("settings", args=[workspace.slug])).content.decode()
    link = reverse("export_download", args=[workspace.slug, export.pk])
    assert link in page
    download = client.get(link)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    body = b"".join(download).decode()  # (an async stream, read whole here)
    assert len(body.encode()) == export.size
    lines = body.splitlines()
    assert json.loads(lines[0])["type"] == "frontline-export"
    copy = portability.import_workspace(io.StringIO(body), slug="restored")
    assert Ticket.objects.get(workspace=copy).subject == ticket.subject
    assert Event.objects.filter(kind="workspace.export_requested", actor_user=owner).exists()

    # Kept a week, then the file and the row go.
    WorkspaceExport.objects.filter(pk=export.pk).update(created_at=clock.now() - timedelta(days=8))
    name = export.file.name
    assert portability.expire_exports() == 1
    assert not default_storage.exists(name) and not WorkspaceExport.objects.exists()
    assert client.get(link).status_code == 404


def test_only_owners_export(admin, owner, stranger, workspace, other_workspace):
    assert (
        signed_in(admin)
        .post(reverse("settings_action", args=[workspace.slug, "export"]))
        .status_code
        == 403
    )
    assert (
        "Export everything"
        not in signed_in(admin).get(reverse("settings", args=[workspace.slug])).content.decode()
    )
    portability.request_export(workspace, by=owner)
    run_tasks()
    link = reverse("export_download", args=[workspace.slug, WorkspaceExport.objects.get().pk])
    assert signed_in(admin).get(link).status_code == 403
    assert signed_in(stranger).get(link).status_code in (403, 404)
    assert Workspace.objects.count() == 2  # nothing imported or changed meanwhile
