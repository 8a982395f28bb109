"""Success stories (a ticket told for the team, anonymised unless the author says
otherwise) and testimonials (customers' own words, only with their consent, published
on the help center without their name)."""

import re

from django.db import IntegrityError

from frontline.accounts.models import User
from frontline.feedback.models import Rating
from frontline.feedback.services import last_agent
from frontline.lib.errors import ServiceError, invalid
from frontline.people.models import SuccessStory, Testimonial
from frontline.tickets.events import Actor, event, record
from frontline.tickets.models import Message, Ticket

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d ()-]{7,}\d")


def anonymise(text: str, ticket: Ticket) -> str:
    """The customer's names, email addresses and phone numbers taken out."""
    customer = ticket.requester
    names = sorted(
        {n for n in {customer.name, *customer.name.split()} if len(n) > 1}, key=len, reverse=True
    )
    if names:  # one pass, longest first, so a replacement is never replaced again
        pattern = r"\b(" + "|".join(re.escape(n) for n in names) + r")\b"
        text = re.sub(pattern, "the customer", text, flags=re.IGNORECASE)
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


def draft_story(ticket: Ticket) -> dict:
    """A first draft from the public conversation, anonymised."""
    lines = []
    for m in ticket.messages.filter(visibility=Message.Visibility.PUBLIC).order_by("created_at"):
        who = "The customer" if m.author_type == Message.Author.CUSTOMER else "We"
        lines.append(f"{who}: {m.body_text.strip()[:600]}")
    return {
        "title": anonymise(ticket.subject, ticket)[:160],
        "body": anonymise("\n\n".join(lines), ticket),
        "hero": last_agent(ticket),
    }


def create_story(
    ticket: Ticket, *, by: User, title: str, body: str, anonymous: bool = True
) -> SuccessStory:
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 160:
        raise invalid("title", "is required (at most 160 characters)")
    if not body or len(body) > 20_000:
        raise invalid("body", "is required (at most 20,000 characters)")
    if anonymous:
        title, body = anonymise(title, ticket), anonymise(body, ticket)
    story = SuccessStory.objects.create(
        workspace_id=ticket.workspace_id, ticket=ticket, title=title, body=body,
        hero=last_agent(ticket), author=by,
    )  # fmt: skip
    record(
        [
            event(
                ticket.workspace_id,
                Actor.of(by),
                "story.created",
                ticket=ticket,
                after={"story": story.pk},
            )  # fmt: skip
        ]
    )
    return story


def publish_testimonial(rating: Rating, *, by: User) -> Testimonial:
    if not (rating.consent_to_share and rating.comment):
        raise ServiceError(
            "Only comments the customer agreed to share can be published", code="no_consent"
        )
    try:
        found = Testimonial.objects.create(
            workspace_id=rating.workspace_id, rating=rating, quote=rating.comment
        )
    except IntegrityError:
        raise ServiceError("Already published", code="duplicate", status=409) from None
    record(
        [event(rating.workspace_id, Actor.of(by), "testimonial.published", ticket=rating.ticket)]
    )
    return found


def unpublish_testimonial(testimonial: Testimonial) -> None:
    testimonial.published = False
    testimonial.save(update_fields=["published"])


def candidates(workspace):
    """Consented, warm comments not yet published."""
    return (
        Rating.objects.filter(
            workspace=workspace, consent_to_share=True, comment_sentiment__gte=0.3,
            testimonial__isnull=True,
        )
        .exclude(comment="")
        .order_by("-created_at")[:20]
    )  # fmt: skip
