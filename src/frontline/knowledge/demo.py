"""Help-center articles for the demo bank, written for Frontline (our own words)."""

from frontline.accounts.models import User, Workspace
from frontline.knowledge import services

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
