"""A small labelled help-desk dataset made for the tests: six intents, varied wording."""

import itertools

INTENTS = {
    "lost_card": [
        "I lost my {card} {when}",
        "my {card} was stolen {when}, please block it",
        "I can't find my {card} anywhere since {when}",
        "someone took my {card} {when}, what do I do",
        "please freeze my {card}, I think I lost it {when}",
    ],
    "refund": [
        "I want a refund for my {order} {when}",
        "please give me my money back for the {order}",
        "how do I get reimbursed for the {order} I returned {when}",
        "the {order} was faulty, I need a refund",
        "still waiting for the refund of my {order} from {when}",
    ],
    "password_reset": [
        "I forgot my {secret}, how do I reset it",
        "can't log in, my {secret} doesn't work since {when}",
        "please help me change my {secret}",
        "the reset link for my {secret} never arrived {when}",
        "locked out of my account, need a new {secret}",
    ],
    "delivery_late": [
        "my {order} has not arrived yet, it was due {when}",
        "where is my {order}? still not delivered",
        "the courier never brought my {order} {when}",
        "tracking for my {order} hasn't moved since {when}",
        "how long until my {order} is delivered",
    ],
    "exchange_rate": [
        "what exchange rate do you use for {currency}",
        "why was I charged a bad rate converting to {currency} {when}",
        "how much is one pound in {currency} today",
        "the {currency} conversion fee seems too high",
        "do you charge extra for paying in {currency}",
    ],
    "close_account": [
        "I want to close my account {when}",
        "please delete my account and all my data",
        "how do I cancel my membership for good",
        "terminate my account, I'm moving {when}",
        "I no longer need this account, shut it down",
    ],
}
FILLERS = {
    "card": ["card", "debit card", "credit card"],
    "when": ["yesterday", "last week", "this morning", "on Monday"],
    "order": ["order", "parcel", "package"],
    "secret": ["password", "passcode", "PIN"],
    "currency": ["euros", "dollars", "yen"],
}


def dataset(per_intent: int = 14) -> list[tuple[str, str]]:
    """(text, intent) rows, deterministic."""
    rows = []
    for intent, templates in INTENTS.items():
        texts = []
        for template, fill in itertools.product(templates, range(12)):
            values = {k: v[fill % len(v)] for k, v in FILLERS.items()}
            text = template.format(**values)
            if text not in texts:
                texts.append(text)
        rows += [(t, intent) for t in texts[:per_intent]]
    return rows
