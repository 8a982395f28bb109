"""Kudos: colleagues thank each other with a message and one of the workspace's values;
customers' praise (a high rating with a warm comment, or a clearly thankful message)
becomes a customer kudos for the agent who helped, shown once a lead approves it (or at
once, if the workspace says so). Nobody gives themselves kudos; an optional monthly
allowance limits how many a person gives (off by default: recognition, not a points
race)."""

import re

from django.db import transaction
from django.db.models import Q

from frontline.accounts.access import agent_memberships
from frontline.accounts.models import Role, User, Workspace
from frontline.lib import clock
from frontline.lib.errors import ServiceError, invalid
from frontline.people.models import Kudos, Reaction, RecognitionSettings, SuccessStory
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Event, Message, Ticket
from frontline.tickets.services.rows import update_logged

MAX_MESSAGE = 1000
PRAISE_SENTIMENT = 0.5  # VADER compound at or above which a comment counts as warm
_THANKS = re.compile(
    r"\b(thank(s| you)|many thanks|much appreciated|you('re| are) (a star|amazing|great|the best)|"
    r"brilliant (help|service)|great (help|service|job)|so helpful|lifesaver)\b",
    re.IGNORECASE,
)


def settings_for(workspace: Workspace) -> RecognitionSettings:
    return RecognitionSettings.objects.get_or_create(workspace=workspace)[0]


def update_settings(workspace: Workspace, *, by: Actor, **changes) -> RecognitionSettings:
    unknown = set(changes) - {
        "values", "auto_approve_customer_praise", "monthly_allowance", "hashtags",
    }  # fmt: skip
    if unknown:
        raise invalid(sorted(unknown)[0], "is not a recognition setting")
    if "values" in changes:
        values = [v.strip() for v in (changes["values"] or "").splitlines() if v.strip()]
        if not values or any(len(v) > 60 for v in values):
            raise invalid("values", "give at least one value, each at most 60 characters")
        changes["values"] = "\n".join(dict.fromkeys(values))
    if "monthly_allowance" in changes:
        allowance = changes["monthly_allowance"]
        if not isinstance(allowance, int) or not 0 <= allowance <= 1000:
            raise invalid("monthly_allowance", "must be a number from 0 (no limit) to 1000")
    if "hashtags" in changes:
        tags = (changes["hashtags"] or "").split()
        tags = ["#" + t.lstrip("#") for t in tags if t.lstrip("#")]
        if len(" ".join(tags)) > 120 or any(not t[1:].replace("_", "").isalnum() for t in tags):
            raise invalid("hashtags", "hashtags are words or digits after #, 120 characters in all")
        changes["hashtags"] = " ".join(dict.fromkeys(tags))
    current = settings_for(workspace)
    return update_logged(current, by, "recognition_settings.updated", changes)


def give_kudos(
    workspace: Workspace, *, giver: User, receiver: User, value: str, message: str,
    public: bool = True,
) -> Kudos:  # fmt: skip
    current = settings_for(workspace)
    members = agent_memberships(workspace)
    if not members.filter(user=giver).exists():
        raise ServiceError("Only agents of this workspace give kudos", code="forbidden", status=403)
    if receiver == giver:
        raise invalid("receiver", "kudos go to someone else: you cannot give yourself kudos")
    if not members.filter(user=receiver).exists():
        raise invalid("receiver", "is not an agent of this workspace")
    if value not in current.value_list():
        raise invalid("value", f"must be one of {', '.join(current.value_list())}")
    message = (message or "").strip()
    if not message:
        raise invalid("message", "say what they did")
    if len(message) > MAX_MESSAGE:
        raise invalid("message", f"must be at most {MAX_MESSAGE} characters")
    if current.monthly_allowance:
        month_start = clock.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        given = Kudos.objects.filter(
            workspace=workspace, giver=giver, created_at__gte=month_start
        ).count()
        if given >= current.monthly_allowance:
            raise ServiceError(
                f"You have given your {current.monthly_allowance} kudos for this month",
                code="allowance",
                status=409,
            )
    with transaction.atomic():
        kudos = Kudos.objects.create(
            workspace=workspace, giver=giver, receiver=receiver, value=value, message=message,
            public=public, created_at=clock.now(),
        )  # fmt: skip
        record(
            [
                event(
                    workspace.pk,
                    Actor.of(giver),
                    "kudos.given",
                    after={"kudos": kudos.pk, "to": receiver.pk, "value": value},
                )  # fmt: skip
            ]
        )
    return kudos


def _offer(
    ticket: Ticket, agent: User | None, *, message: str, rating=None, at=None
) -> Kudos | None:
    """A customer kudos for `agent` about `ticket`, pending or shown per the setting, dated
    when the customer said it (`at`, else now)."""
    if agent is None or not agent.is_active:
        return None
    if Kudos.objects.filter(ticket=ticket, source=Kudos.Source.CUSTOMER).exists():
        return None  # one per ticket
    current = settings_for(ticket.workspace)
    status = Kudos.Status.SHOWN if current.auto_approve_customer_praise else Kudos.Status.PENDING
    kudos = Kudos.objects.create(
        workspace_id=ticket.workspace_id, source=Kudos.Source.CUSTOMER, status=status,
        receiver=agent, message=message, ticket=ticket, rating=rating,
        created_at=at or clock.now(),
    )  # fmt: skip
    record(
        [
            event(
                ticket.workspace_id,
                Actor.of(ticket.requester),
                "kudos.customer_praise",
                ticket=ticket,
                after={"kudos": kudos.pk, "to": agent.pk, "status": status},
            )  # fmt: skip
        ]
    )
    return kudos


def praise_from_rating(rating) -> Kudos | None:
    """After a rating's comment (feedback listener): a top rating with a warm comment is
    offered as a customer kudos. The customer's words are quoted only with consent."""
    from frontline.feedback.services import is_bad

    top = {"csat": 5, "nps": 9, "ces": 6}[rating.kind]
    warm = (rating.comment_sentiment or 0) >= PRAISE_SENTIMENT or _THANKS.search(rating.comment)
    if rating.score < top or not rating.comment or not warm or is_bad(rating.kind, rating.score):
        return None
    words = rating.comment if rating.consent_to_share else "A customer rated your help "
    if not rating.consent_to_share:
        words += f"{rating.score} and left warm words (kept private at their wish)."
    return _offer(rating.ticket, rating.agent, message=words, rating=rating)


def praise_from_messages(events: list[Event]) -> None:
    """A clearly thankful customer message (tickets hook, after commit) is offered as a
    customer kudos for the agent who last replied. Never quoted: no consent was asked."""
    from frontline.assistant.tone import read_tone
    from frontline.feedback.services import last_agent

    # A ticket's first message has no agent's reply to thank yet.
    opened = {e.ticket_id for e in events if e.kind == "ticket.created"}
    for e in events:
        after = e.after if isinstance(e.after, dict) else {}
        if e.kind != "message.added" or after.get("author") != Message.Author.CUSTOMER:
            continue
        if e.ticket_id in opened:
            continue
        if after.get("visibility") != Message.Visibility.PUBLIC or e.ticket is None:
            continue
        message = getattr(e, "added_message", None)  # in hand when recorded in this process
        if message is not None:
            text = message.body_text
        else:
            text = Message.objects.filter(pk=after.get("message")).values_list("body_text")
            text = (text.first() or ("",))[0]
        text = text[:2000]
        if _THANKS.search(text) and read_tone(text).sentiment >= PRAISE_SENTIMENT:
            _offer(
                e.ticket,
                last_agent(e.ticket),
                message=f"A customer thanked you on ticket #{e.ticket.number}.",
                at=e.created_at,
            )


def decide(kudos: Kudos, *, by: User, show: bool) -> Kudos:
    """A lead shows a pending customer kudos on the wall, or declines it."""
    if kudos.status != Kudos.Status.PENDING:
        raise ServiceError("This kudos was already decided", code="decided", status=409)
    kudos.status = Kudos.Status.SHOWN if show else Kudos.Status.DECLINED
    kudos.decided_by = by
    kudos.save(update_fields=["status", "decided_by"])
    return kudos


def react(kudos: Kudos, *, user: User, emoji: str) -> bool:
    """Toggle a reaction; True when it is now on."""
    if emoji not in Reaction.EMOJI:
        raise invalid("emoji", f"must be one of {' '.join(Reaction.EMOJI)}")
    if kudos.status != Kudos.Status.SHOWN:
        raise ServiceError("Only kudos on the wall take reactions", code="not_shown", status=409)
    deleted, _ = Reaction.objects.filter(kudos=kudos, user=user, emoji=emoji).delete()
    if deleted:
        return False
    Reaction.objects.create(kudos=kudos, user=user, emoji=emoji)
    return True


def wall(workspace: Workspace, viewer: User):
    """The kudos this person sees: the public ones, and private ones they gave or got."""
    return (
        Kudos.objects.filter(workspace=workspace, status=Kudos.Status.SHOWN)
        .filter(Q(public=True) | Q(giver=viewer) | Q(receiver=viewer))
        .select_related("giver", "receiver", "ticket")
        .prefetch_related("reactions")
    )


def is_lead(membership) -> bool:
    return membership.has_role(Role.ADMIN)


ERASED_PRAISE = "A customer thanked you (their own words were erased at their request)."


def forget_customer(customer, ticket_ids: list[int]) -> None:
    """tickets hook (erasure): an agent keeps the kudos a customer gave, without the
    customer's words; success stories about their tickets lose their name and contacts."""
    from frontline.people.stories import anonymise

    Kudos.objects.filter(rating__ticket_id__in=ticket_ids).update(
        rating=None, ticket=None, message=ERASED_PRAISE
    )
    for story in SuccessStory.objects.filter(ticket_id__in=ticket_ids).select_related("ticket"):
        story.title = anonymise(story.title, story.ticket)
        story.body = anonymise(story.body, story.ticket)
        story.save(update_fields=["title", "body"])
