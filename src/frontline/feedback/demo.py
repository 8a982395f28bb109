"""The demo's customer feedback: every solved ticket an agent answered was surveyed when it
was solved, and about a third of the customers answered, some with a comment, so the
feedback page, the follow-ups of bad ratings and the awards have something to show on
first run. Recorded through the services at the time each customer answered."""

import random
from datetime import timedelta

from frontline.accounts.models import Workspace
from frontline.feedback import services
from frontline.feedback.models import SurveyRequest
from frontline.lib import clock
from frontline.tickets.models import Status, Ticket

ANSWERED = 0.35  # a good response rate for one-click email surveys
SCORES = (5, 4, 3, 2, 1)
WEIGHTS = (56, 24, 9, 5, 6)
COMMENTED = 0.6
COMMENTS = {
    5: (
        "Quick and friendly, thank you so much!",
        "Sorted in minutes. Great service, thanks.",
        "Clear answer, exactly what I needed. Thank you!",
        "Really helpful and patient, much appreciated.",
    ),
    4: ("Good help, thanks. It took a day to hear back.", "Solved, thank you."),
    3: ("Fine in the end, but I had to explain it twice.",),
    2: ("It took far too long to get an answer.",),
    1: (
        "Still not fixed and nobody called me back.",
        "The answer did not help at all, very disappointed.",
    ),
}


def seed(workspace: Workspace, seed: int = 7) -> int:
    """Surveys and ratings for the workspace's solved tickets; returns the ratings made."""
    rng = random.Random(seed)
    now = clock.now()
    kind = services.settings_for(workspace).kind
    rated = 0
    solved = (
        Ticket.objects.filter(
            workspace=workspace, status__in=(Status.SOLVED, Status.CLOSED), solved_at__isnull=False
        )
        .select_related("workspace", "requester", "team")
        .order_by("solved_at")
    )
    for ticket in solved:
        agent = services.last_agent(ticket)
        if agent is None:
            continue
        SurveyRequest.objects.create(
            workspace=workspace, ticket=ticket, kind=kind, agent=agent, sent_at=ticket.solved_at
        )
        if rng.random() >= ANSWERED:
            continue
        score = rng.choices(SCORES, WEIGHTS)[0]
        at = min(ticket.solved_at + timedelta(hours=rng.uniform(0.1, 30)), now)
        with clock.replaying(at):
            rating = services.rate(ticket, score)
            if rng.random() < COMMENTED:
                words = rng.choice(COMMENTS[score])
                services.comment(rating, words, consent=rng.random() < 0.5)
        rated += 1
    return rated
