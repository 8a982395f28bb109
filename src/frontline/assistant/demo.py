"""The demo workspace's assistant: routing rules from each intent to its team, unsure
tickets to General, and a first model trained on the demo history."""

from frontline.accounts.models import Workspace
from frontline.assistant import services
from frontline.assistant.models import IntentModelVersion
from frontline.tickets import demo
from frontline.tickets.models import Team

MIN_TICKETS = 500  # a smaller demo (the browser tests') has too few examples per intent


def prepare(workspace: Workspace) -> IntentModelVersion | None:
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    services.update_settings(
        workspace, label_source="custom_field", label_key="intent", default_team=teams[demo.GENERAL]
    )
    for intent in demo.load_messages():
        services.set_rule(workspace, intent, team=teams[demo.team_for(intent)])
    if workspace.tickets.count() < MIN_TICKETS:
        return None
    return services.train(workspace, trigger="demo")
