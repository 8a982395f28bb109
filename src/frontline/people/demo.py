"""The demo's recognition: colleagues thanked each other over the last two months, the
leads showed most customers' praise on the team wall (a few still wait for them), and
people reacted, so the wall and the awards look like a team's on first run. Recorded
through the services at the time each happened."""

import random
from datetime import timedelta

from frontline.accounts.access import agent_memberships
from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.people import services
from frontline.people.models import Kudos, Reaction

GIVEN = 30
DAYS = 60
STILL_PENDING = 4  # customers' praise the lead has not looked at yet
# What colleagues thank each other for, by the workspace's default values.
MESSAGES = {
    "Empathy": (
        "Stayed calm and kind with a customer who had just had their card stolen abroad.",
        "Took the time to really listen to an upset customer and turned the call around.",
    ),
    "Ownership": (
        "Followed a lost transfer through three banks until the money arrived.",
        "Picked up the unassigned queue on a busy Monday without being asked.",
    ),
    "Expertise": (
        "Explained exchange-rate fees so clearly that we turned it into a macro.",
        "Spotted the pattern behind this week's declined top-ups and told engineering.",
    ),
    "Teamwork": (
        "Covered my chats while I was at the dentist. Thank you!",
        "Walked me through my first identity-verification escalation.",
    ),
    "Going the extra mile": (
        "Called a customer back after hours to make sure their rent payment went through.",
        "Wrote the new help-center article on disposable cards on a Friday evening.",
    ),
}


def seed(workspace: Workspace, lead, seed: int = 7) -> int:
    """Kudos between the workspace's agents and the lead's decisions on customer praise;
    returns the kudos given."""
    rng = random.Random(seed)
    now = clock.now()
    agents = [m.user for m in agent_memberships(workspace).select_related("user")]
    if len(agents) < 2:
        return 0
    values = [v for v in services.settings_for(workspace).value_list() if v in MESSAGES]
    given = 0
    for at in sorted(now - timedelta(days=rng.uniform(0, DAYS)) for _ in range(GIVEN)):
        giver, receiver = rng.sample(agents, 2)
        value = rng.choice(values or services.settings_for(workspace).value_list())
        with clock.replaying(at):
            services.give_kudos(
                workspace,
                giver=giver,
                receiver=receiver,
                value=value,
                message=rng.choice(MESSAGES.get(value, MESSAGES["Teamwork"])),
                public=rng.random() > 0.1,
            )
        given += 1
    pending = Kudos.objects.filter(
        workspace=workspace, source=Kudos.Source.CUSTOMER, status=Kudos.Status.PENDING
    ).order_by("created_at")
    for kudos in list(pending)[:-STILL_PENDING] if lead is not None else []:
        services.decide(kudos, by=lead, show=True)
    shown = Kudos.objects.filter(workspace=workspace, status=Kudos.Status.SHOWN, public=True)
    for kudos in shown:
        for user in rng.sample(agents, rng.randint(0, 3)):
            if user != kudos.giver:
                services.react(kudos, user=user, emoji=rng.choice(Reaction.EMOJI))
    return given
