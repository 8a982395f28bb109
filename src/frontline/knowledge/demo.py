"""Help-center articles for the demo bank, written for Frontline (our own words)."""

import random
from collections import Counter
from datetime import timedelta

from frontline.accounts.models import User, Workspace
from frontline.knowledge import retrieval, services
from frontline.knowledge.models import Article, HelpfulVote, SearchLog
from frontline.lib import clock
from frontline.tickets.models import Ticket

ARTICLES = {
    "Cards": [
        (
            "My new card has not arrived",
            """New cards usually arrive within 3 to 5 working days.

## If it is late
1. Check the delivery address in the app under **Profile → Address**.
2. After 7 working days, freeze the missing card in the app and order a replacement.

## Is there a fee?
The first replacement in a year is free.""",
        ),
        (
            "My card was declined",
            """A payment can be declined for a few reasons.

## Common reasons
- The card is frozen or not activated yet.
- The merchant is in a country you blocked in the app.
- Your balance or daily limit was not enough.

## What to do
Check the card's status in the app. If everything looks right, submit a request and we
will look at the payment with you.""",
        ),
        (
            "I forgot my PIN",
            """You can see your PIN in the app at any time: **Cards → Show PIN**.
You will be asked to confirm it is you. Changing the PIN is possible at any cash machine.""",
        ),
    ],
    "Transfers": [
        (
            "How long does a transfer take?",
            """Transfers between accounts in the same country
arrive within two hours, most within minutes. International transfers take 1 to 3 working
days.

## A transfer is pending
Pending transfers are checked by our team; this can take up to one working day.""",
        ),
        (
            "I sent money to the wrong account",
            """Tell us as soon as possible: submit a
request with the date, the amount and the account you sent it to. We will contact the
receiving bank; we cannot promise the money comes back.""",
        ),
    ],
}


TAGS = {
    "My new card has not arrived": ["delivery", "new-card"],
    "My card was declined": ["payments"],
    "I forgot my PIN": ["security", "pin"],
    "How long does a transfer take?": ["payments", "international"],
    "I sent money to the wrong account": ["payments", "mistakes"],
}


def seed(workspace: Workspace, author: User) -> int:
    made = 0
    for name, articles in ARTICLES.items():
        category = services.create_category(workspace, name=name)
        for title, body in articles:
            services.create_article(
                workspace, by=author, title=title, body=body, category=category,
                status="published", tags=TAGS.get(title, []),
            )  # fmt: skip
            made += 1
    return made


# What the bank's customers typed into the help center's search: questions the articles
# answer, and some they do not (the content-gap report's first rows).
SEARCHES = (
    "how do I activate my card",
    "card not arrived",
    "forgot pin",
    "transfer pending",
    "exchange rate fee",
    "top up failed",
    "cash machine kept my card",
    "verify identity",
    "close my account",
    "apple pay",
    "crypto",
    "overdraft",
    "joint account",
    "mortgage",
    "business account",
    "student account",
)
HELPFUL_SAYS = ("Clear, thanks.", "Exactly what I needed.", "Solved my problem.")
NOT_HELPFUL_SAYS = ("Does not say what to do if the app crashes.", "Too vague for my case.")


def seed_readers(workspace: Workspace, seed: int = 7) -> None:
    """A month of readers: article views (more for what customers ask most), "was this
    helpful?" votes, and help-center searches logged with what the search really found.
    Needs the articles indexed (retrieval.index), as the search uses their passages."""
    rng = random.Random(seed)
    now = clock.now()
    asked = Counter(
        Ticket.objects.filter(workspace=workspace).values_list("custom_fields__intent", flat=True)
    )
    for article in Article.objects.filter(workspace=workspace, status="published"):
        views = asked.get(article.intent, 2) * rng.randint(3, 9) + rng.randint(0, 20)
        Article.objects.filter(pk=article.pk).update(views=views)
        for _ in range(views // 25):
            helpful = rng.random() < 0.8
            said = rng.choice(HELPFUL_SAYS if helpful else NOT_HELPFUL_SAYS)
            vote = services.vote(
                article, helpful=helpful, comment=said if rng.random() < 0.3 else ""
            )
            HelpfulVote.objects.filter(pk=vote.pk).update(
                created_at=now - timedelta(days=rng.uniform(0, 30))
            )
    for query in SEARCHES:
        hits = retrieval.search(workspace, query)
        for _ in range(rng.randint(1, 6)):
            retrieval.log_search(workspace, query, hits)
    for log in SearchLog.objects.filter(workspace=workspace):
        log.created_at = now - timedelta(days=rng.uniform(0, 29))
        log.save(update_fields=["created_at"])
