"""The demo workspace's assistant: routing rules from each intent to its team, unsure
tickets to General, and a first model trained on the demo history."""

import random
from datetime import timedelta

from frontline.accounts.models import Workspace
from frontline.assistant import services
from frontline.assistant.models import BotTurn, IntentModelVersion
from frontline.lib import clock
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


# The demo's own five articles answer these intents; the Demo Bank set leaves them out.
HAND_WRITTEN = {
    "My new card has not arrived": "card_arrival",
    "My card was declined": "declined_card_payment",
    "How long does a transfer take?": "transfer_timing",
    "I forgot my PIN": "get_physical_card",  # Banking77's "where is my PIN" questions
}


def answers() -> dict[str, str]:
    """What the demo's agents reply to each intent: its help center article, as plain
    text (the articles are single paragraphs with bold for the app's menus)."""
    from frontline.assistant.evaluation.answers import read_articles

    return {
        intent: " ".join(body.replace("**", "").split())
        for intent, (_, body) in read_articles().items()
    }


def seed_help_center(workspace: Workspace, author) -> int:
    """The Demo Bank's help center: one article per intent of the demo's tickets (the set
    `frontline assistant evaluate-answers` uses, written for Frontline), each tied to its
    intent so the virtual agent answers what the model recognises. Filed under the team
    that owns the intent ("Transfers" for transfers, as the demo's own articles are)."""
    from frontline.assistant.evaluation.answers import read_articles
    from frontline.knowledge import services as kb
    from frontline.knowledge.models import Article, Category

    for title, intent in HAND_WRITTEN.items():
        Article.objects.filter(workspace=workspace, title=title).update(intent=intent)
    categories = {c.name: c for c in Category.objects.filter(workspace=workspace)}
    made = 0
    for intent, (title, body) in read_articles().items():
        if intent in HAND_WRITTEN.values():
            continue
        name = "Transfers" if "transfer" in intent else demo.team_for(intent)
        if name not in categories:
            categories[name] = kb.create_category(workspace, name=name)
        kb.create_article(
            workspace, by=author, title=title, body=body, category=categories[name],
            status="published", intent=intent,
        )  # fmt: skip
        made += 1
    return made


# Questions the bank does not answer in its help center: the agent should hand them over.
BEYOND = (
    "Can I get a mortgage with you?",
    "Do you offer business accounts for my shop?",
    "I want to speak to someone about my late father's account",
)


def seed_questions(workspace: Workspace, *, count: int = 60, seed: int = 7) -> None:
    """A month of help-center questions to the virtual agent, asked and answered for real
    (Banking77 texts and a few the help center does not cover), so its report shows what
    it answered, handed over and why. About half of the customers say whether an answer
    helped: yes when it cited the article on what they asked."""
    from frontline.assistant import virtual_agent

    rng = random.Random(seed)
    by_intent = demo.load_messages()
    asked = [
        (intent, rng.choice(by_intent[intent]))
        for intent in rng.sample(sorted(by_intent), k=min(count, len(by_intent)))
    ]
    asked += [("", question) for question in BEYOND]
    now = clock.now()
    for intent, question in asked:
        reply = virtual_agent.reply(workspace, question)
        turn = virtual_agent.record(workspace, question, reply)
        if reply.kind == "answer" and rng.random() < 0.5:
            cited = reply.citation
            virtual_agent.settle(turn, helped=cited is not None and cited.intent == intent)
        BotTurn.objects.filter(pk=turn.pk).update(
            created_at=now - timedelta(days=rng.uniform(0, 29))
        )
