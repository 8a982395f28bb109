"""The demo workspace: a bank's support team with a few months of realistic history.

Customer messages are real banking questions (Banking77, CC BY 4.0, shipped in
`tickets/data/`); everything is written through the services, replayed at its original
time (lib.clock), so events, search and numbering are exactly as in live use.
Deterministic for a given seed.
"""

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from frontline.accounts import services as accounts
from frontline.accounts.models import Role, User, Workspace
from frontline.lib import clock
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Status

DATA = Path(__file__).parent / "data" / "banking77.csv"
SLUG = "demo"
OWNER_EMAIL = "owner@demo.frontline.test"
DEFAULT_PASSWORD = "frontline-demo"
DAYS = 90

TEAMS = {
    "Cards": (
        "card",
        "pin",
        "contactless",
        "atm_support",
        "virtual",
        "visa",
        "lost_or_stolen",
        "apple_pay",
    ),
    "Payments": (
        "transfer",
        "payment",
        "direct_debit",
        "beneficiary",
        "exchange",
        "fiat",
        "receiving_money",
        "cancel_transfer",
    ),
    "Account & Security": (
        "verify",
        "identity",
        "passcode",
        "account",
        "personal_details",
        "compromised",
        "terminate",
        "age_limit",
        "country_support",
    ),
    "Top-ups & Cash": ("top_up", "topping_up", "cash", "withdrawal", "cheque", "refund", "balance"),
}
GENERAL = "General"
# The tag a demo ticket gets: the first topic whose keyword is in its intent (a support
# team files by topic; the intent's first word would give tags like "getting").
TOPICS = (
    ("refund", "refund"), ("top_up", "top-up"), ("topping_up", "top-up"),
    ("cash", "cash"), ("atm", "cash"), ("cheque", "cash"), ("withdrawal", "cash"),
    ("exchange", "exchange"), ("fiat", "exchange"), ("currenc", "exchange"),
    ("passcode", "security"), ("compromised", "security"), ("lost_or_stolen", "security"),
    ("pin", "pin"), ("verify", "identity"), ("identity", "identity"),
    ("transfer", "transfer"), ("beneficiary", "transfer"), ("receiving_money", "transfer"),
    ("charged_twice", "payment"), ("fee", "fees"), ("charge", "fees"),
    ("card", "card"), ("contactless", "card"), ("apple_pay", "card"), ("visa", "card"),
    ("payment", "payment"), ("direct_debit", "payment"),
)  # fmt: skip
TOPIC_TAGS = {tag for _, tag in TOPICS} | {"account"}
# Small businesses that bank with the demo bank (fictional; .example is reserved).
COMPANIES = (
    ("Harbour Bakery Ltd", "harbourbakery.example", "Card terminals in two shops."),
    ("Nordlicht Design GmbH", "nordlicht-design.example", "Pays freelancers abroad every month."),
    ("Petit Atelier SARL", "petitatelier.example", "Busiest around the Christmas markets."),
    ("Costa & Filhos Lda", "costafilhos.example", "Family firm; three cardholders."),
    ("Greenleaf Landscaping", "greenleaf.example", "Cash deposits on Mondays."),
)  # fmt: skip
AGENTS = [
    ("Amara Okafor", "Cards"),
    ("Lucas Martin", "Cards"),
    ("Sofia Rossi", "Cards"),
    ("Kenji Watanabe", "Payments"),
    ("Emma Schulz", "Payments"),
    ("Diego Alvarez", "Payments"),
    ("Priya Nair", "Account & Security"),
    ("Tom Fletcher", "Account & Security"),
    ("Chloé Dubois", "Top-ups & Cash"),
    ("Mateus Costa", "Top-ups & Cash"),
    ("Hannah Berg", GENERAL),
    ("Omar Haddad", GENERAL),
]
FIRST = [
    "James",
    "Mary",
    "Oliver",
    "Amelia",
    "Noah",
    "Isla",
    "Liam",
    "Ava",
    "Mohammed",
    "Zoe",
    "Lea",
    "Marco",
    "Ines",
    "Yusuf",
    "Nina",
    "Pavel",
    "Aisha",
    "Jonas",
    "Elif",
    "Hugo",
    "Maya",
    "Rafael",
    "Sara",
    "Ethan",
    "Freya",
    "Kofi",
    "Lina",
    "Tariq",
    "Julia",
    "Arjun",
]
LAST = [
    "Smith",
    "Jones",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Garcia",
    "Müller",
    "Novak",
    "Kowalski",
    "Silva",
    "Khan",
    "Ahmed",
    "Larsen",
    "Moreau",
    "Bianchi",
    "Yilmaz",
    "Tanaka",
    "Nguyen",
    "Okoye",
    "Costa",
]
GREETINGS = ("Hi,", "Hello,", "Good morning,", "Dear support team,", "Hey there,", "")
SIGNOFFS = ("Thanks", "Thank you", "Kind regards", "Cheers", "Best wishes", "Many thanks")
# How each team opens and closes a reply; between them goes the answer to the intent
# (the help center's article, when the demo is seeded with it) or a generic outcome.
REPLIES = {
    "Cards": ("Thanks for getting in touch about your card.",
              "If there's anything else about your card, just reply to this message."),
    "Payments": ("Thank you for your patience.",
                 "Just reply here if anything about the payment is still unclear."),
    "Account & Security": ("Thanks for reaching out.",
                           "Let me know if you need anything else."),
    "Top-ups & Cash": ("Thanks for getting in touch.",
                       "Just reply here if it still isn't right."),
    GENERAL: ("Thanks for your message.",
              "Happy to help further if you have questions."),
}  # fmt: skip
FIXES = (
    "Everything is now in order on our side.",
    "I've raised it with the responsible team and applied a correction.",
    "The pending amount has been released back to your balance.",
    "I've sent you a step-by-step guide in the app.",
    "We've refunded the fee as a goodwill gesture.",
)
NOTES = (
    "Checked the transaction logs: the merchant reversed the charge yesterday.",
    "Customer called as well; same issue, no new information.",
    "Escalated to the card issuer, reference CI-{n}.",
    "Possible duplicate of an older ticket from this customer.",
    "Verified identity through the app before replying.",
)
FOLLOW_UPS = (
    "Thanks, that worked!",
    "I'm afraid it still doesn't work.",
    "Any update on this please?",
    "Great, thank you for the quick help.",
)


@dataclass
class Plan:
    tickets: int
    seed: int


def load_messages() -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_intent[row["category"]].append(row["text"].strip())
    return by_intent


def topic_for(intent: str) -> str:
    intent = intent.lower()
    return next((tag for key, tag in TOPICS if key in intent), "account")


def team_for(intent: str) -> str:
    if intent.startswith(("top_up", "topping_up")):  # whatever pays for it: a card, a transfer
        return "Top-ups & Cash"
    for team, keys in TEAMS.items():
        if any(k in intent for k in keys):
            return team
    return GENERAL


def create_demo(
    tickets: int = 2000,
    seed: int = 7,
    password: str = DEFAULT_PASSWORD,
    progress=None,
    answers: dict[str, str] | None = None,
) -> Workspace:
    """`answers`: what an agent tells the customer for each intent (the help center's
    articles, from the assistant's demo), so replies answer what was asked."""
    rng = random.Random(seed)
    messages = load_messages()
    intents = sorted(messages)
    start = timezone.now() - timedelta(days=DAYS)
    password_hash = make_password(password)

    with transaction.atomic(), clock.replaying(start - timedelta(days=1)):
        owner = accounts.create_user(OWNER_EMAIL, name="Olivia Owner")
        owner.is_staff = owner.is_superuser = True
        owner.password = password_hash
        owner.save(update_fields=["is_staff", "is_superuser", "password"])
        ws = accounts.create_workspace(
            "Demo Bank Support", SLUG, time_zone="Europe/London", owner=owner
        )
        weekdays = ("mon", "tue", "wed", "thu", "fri")
        accounts.update_workspace(
            ws,
            business_hours={
                **{d: [["08:00", "18:00"]] for d in weekdays},
                "sat": [["09:00", "13:00"]],
            },
        )
        by = Actor.of(owner)
        admin = _member(ws, "Adrian Admin", Role.ADMIN, password_hash)
        _member(ws, "Vic Viewer", Role.VIEWER, password_hash)
        teams = {name: services.create_team(ws, by=by, name=name) for name in [*TEAMS, GENERAL]}
        members: dict[str, list[User]] = defaultdict(list)
        for name, team in AGENTS:
            members[team].append(_member(ws, name, Role.AGENT, password_hash))
        for name, team in teams.items():
            services.set_team_members(team, members[name], by=by)
        services.create_custom_field(
            ws, by=by, key="intent", label="Intent", type="select", choices=intents
        )
        services.create_custom_field(
            ws, by=by, key="account_number", label="Account number", public=True
        )
        services.create_custom_field(ws, by=by, key="vip", label="VIP customer", type="boolean")
        services.create_macro(
            ws,
            by=by,
            name="Ask for transaction details",
            body="Hi {{requester.first_name}}, could you send us the date, "
            "amount and merchant of the transaction?",
            actions={"status": "pending"},
        )
        services.create_macro(
            ws,
            by=by,
            name="Card replacement ordered",
            body="Hi {{requester.first_name}}, a new card is on its way and "
            "should arrive within 5 working days.",
            actions={"status": "solved", "add_tags": ["card-replaced"]},
        )
        services.create_macro(
            ws,
            by=by,
            name="Escalate to fraud team",
            visibility="internal",
            body="Escalated to fraud review.",
            actions={"priority": "urgent", "add_tags": ["fraud"]},
        )
        for name, query in (
            ("Urgent and unsolved", "priority:urgent status:unsolved"),
            ("Open, no update for a day", "status:new,open updated<24h"),
            ("New this week", "created>7d"),
            ("Refunds", "refund*"),
        ):
            services.create_view(ws, by=by, shared=True, name=name, query=query)
        companies = [
            services.create_company(ws, by=by, name=name, domains=[domain], notes=notes)
            for name, domain, notes in COMPANIES
        ]
        customers = [_customer(ws, rng, i, companies) for i in range(300)]
        del admin

    # Tickets arrive over DAYS days, slightly more recently (a growing help desk).
    times = sorted(
        start + timedelta(seconds=DAYS * 86400 * (rng.random() ** 0.8)) for _ in range(tickets)
    )
    batch = 200
    for first in range(0, tickets, batch):
        with transaction.atomic():
            for at in times[first : first + batch]:
                _ticket(ws, rng, at, customers, teams, members, messages, intents, answers or {})
        if progress:
            progress(min(first + batch, tickets), tickets)
    return ws


def _member(ws: Workspace, name: str, role: str, password_hash: str) -> User:
    email = name.split()[0].lower().replace("é", "e") + "@demo.frontline.test"
    user = accounts.create_user(email, name=name)
    # One hash for all demo users: hashing costs ~1 s each, by design.
    user.password = password_hash
    user.save(update_fields=["password"])
    accounts.add_member(ws, user, role)
    return user


def _customer(ws, rng, i, companies):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(("example.com", "example.org", "example.net"))
    # One in ten banks here for their business: an address at the company, filed under it.
    company = companies[i // 10 % len(companies)] if companies and i % 10 == 0 else None
    if company is not None:
        domain = company.domains[0]
    email = f"{first}.{last}{i}@{domain}".lower().replace("ü", "u")
    return services.create_customer(
        ws,
        by=Actor.of(None),
        name=f"{first} {last}",
        email=email,
        language=rng.choice(("en", "en", "en", "de", "fr", "es")),
        company=company,
    )


def _ticket(ws, rng, at, customers, teams, members, messages, intents, answers):
    intent = rng.choice(intents)
    team_name = team_for(intent)
    team, agents = teams[team_name], members[team_name]
    customer = rng.choice(customers)
    text = rng.choice(messages[intent])
    greeting = rng.choice(GREETINGS)
    body = "\n\n".join(
        p for p in (greeting, text, rng.choice(SIGNOFFS) + ",\n" + customer.name.split()[0]) if p
    )
    subject = text if len(text) <= 70 else intent.replace("_", " ").capitalize()
    now = timezone.now()
    age_days = (now - at).days
    urgent = any(w in text.lower() for w in ("stolen", "fraud", "hacked", "urgent", "asap"))
    priority = "urgent" if urgent else rng.choices(("low", "normal", "high"), (2, 7, 2))[0]
    channel = rng.choices(("email", "web", "chat", "phone"), (6, 3, 2, 1))[0]
    with clock.replaying(at):
        ticket = services.create_ticket(
            ws,
            by=Actor.of(customer),
            subject=subject,
            body=body,
            requester=customer,
            channel=channel,
            priority=priority,
            team=team,
            custom_fields={"intent": intent},
            tags=[topic_for(intent)],
        )
    if age_days < 1 and rng.random() < 0.6:
        return  # new and untouched
    agent = rng.choice(agents)
    t = at + timedelta(minutes=rng.randint(5, 600))
    if rng.random() < 0.15 and t < now:
        with clock.replaying(t):
            services.add_note(
                ticket, by=Actor.of(agent), body=rng.choice(NOTES).format(n=rng.randint(1000, 9999))
            )
        t += timedelta(minutes=rng.randint(1, 30))
    if t >= now:
        return  # asked minutes ago: the agent's reply would be in the future
    opening, closing = REPLIES[team_name]
    fix = rng.choice(FIXES)
    reply = f"{opening} {answers.get(intent) or fix}\n\n{closing}"
    greeting = f"Hi {customer.name.split()[0]},\n\n"
    # Fresh tickets are still being worked on; older ones are mostly done.
    final = (
        rng.choices((Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED), (4, 3, 1, 2))[0]
        if age_days < 7
        else rng.choices((Status.PENDING, Status.SOLVED, Status.CLOSED), (1, 3, 6))[0]
    )
    with clock.replaying(t):
        services.reply(
            ticket,
            by=Actor.of(agent),
            body=greeting + reply,
            status=Status.PENDING if final == Status.OPEN else final,
        )
    if final == Status.OPEN or (final != Status.CLOSED and rng.random() < 0.25):
        t += timedelta(hours=rng.randint(1, 48))
        with clock.replaying(min(t, now)):
            services.add_customer_message(ticket, customer, body=rng.choice(FOLLOW_UPS))
