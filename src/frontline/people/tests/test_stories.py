"""Success stories are anonymised drafts from tickets; testimonials reach the help center
only with the customer's consent, and without their name."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.feedback import services as feedback
from frontline.lib.errors import ServiceError
from frontline.people import models as people_models
from frontline.people import stories
from frontline.people.models import SuccessStory
from frontline.testing.personas import signed_in
from frontline.tickets import services as tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(workspace, agent, customer):
    ticket = tickets.create_ticket(
        workspace, by=Actor.of(customer), subject=f"{customer.name} locked out",
        body=f"I am {customer.name}, call me on +44 20 7946 0958 or {customer.email}.",
        requester=customer,
    )  # fmt: skip
    tickets.reply(ticket, by=Actor.of(agent), body="Unlocked; please sign in again.")
    tickets.update_ticket(ticket, by=Actor.of(agent), changes={"status": Status.SOLVED})
    return ticket


def test_a_story_draft_leaves_out_who_the_customer_is(solved, workspace, agent, customer):
    client = signed_in(agent)
    page = client.get(reverse("ticket", args=[workspace.slug, solved.number])).content.decode()
    assert "Share as a success story" in page
    draft = client.get(reverse("story_new", args=[workspace.slug]) + f"?ticket={solved.number}")
    text = draft.content.decode()
    assert customer.name not in text and customer.email not in text and "7946" not in text
    assert "the customer locked out" in text and "[phone]" in text and "[email]" in text
    client.post(
        reverse("story_new", args=[workspace.slug]),
        {"ticket": solved.number, "title": f"How we helped {customer.name}", "body": "Fast."},
    )
    story = SuccessStory.objects.get()
    assert story.title == "How we helped the customer" and story.hero == agent
    wall = client.get(reverse("stories", args=[workspace.slug])).content.decode()
    assert "How we helped the customer" in wall


def test_testimonials_need_consent_and_show_no_name(solved, workspace, admin, agent, customer):
    rating = feedback.rate(solved, 5)
    feedback.comment(rating, "Wonderful, quick and friendly help!", consent=False)
    with pytest.raises(ServiceError, match="agreed to share"):
        stories.publish_testimonial(rating, by=admin)
    feedback.comment(rating, "Wonderful, quick and friendly help!", consent=True)
    page = signed_in(admin).get(reverse("stories", args=[workspace.slug])).content.decode()
    assert "Wonderful, quick and friendly help!" in page
    publish = reverse("testimonial", args=[workspace.slug, rating.pk, "publish"])
    assert signed_in(agent).post(publish).status_code == 403
    signed_in(admin).post(publish)
    help_center = Client().get(reverse("portal_home", args=[workspace.slug])).content.decode()
    assert "Wonderful, quick and friendly help!" in help_center
    assert customer.name not in help_center
    testimonial = people_models.Testimonial.objects.get()
    signed_in(admin).post(
        reverse("testimonial", args=[workspace.slug, testimonial.pk, "unpublish"])
    )
    help_center = Client().get(reverse("portal_home", args=[workspace.slug])).content.decode()
    assert "Wonderful, quick and friendly help!" not in help_center


def test_a_viewer_and_a_stranger_cannot_write_stories(solved, workspace, viewer, stranger):
    url = reverse("story_new", args=[workspace.slug]) + f"?ticket={solved.number}"
    assert signed_in(viewer).get(url).status_code == 403
    assert signed_in(stranger).get(url).status_code == 404
