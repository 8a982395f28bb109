"""Surveys at the moment of interaction (CSAT, NPS or CES), the ratings customers give,
and the follow-ups a bad rating opens (closed loop). A rating belongs to its ticket (one
per ticket) and to the agent who last replied."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.tickets.models import Customer, Team, Ticket


class Kind(models.TextChoices):
    CSAT = "csat", "CSAT: satisfaction 1–5"
    NPS = "nps", "NPS: likely to recommend 0–10"
    CES = "ces", "CES: easy to handle 1–7"


class SurveySettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="survey_settings"
    )
    enabled = models.BooleanField(default=True)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.CSAT)
    question = models.CharField(max_length=200, blank=True)  # blank: the default wording
    reopen_on_bad = models.BooleanField(default=False)
    # 0: in the "request solved" email; else a survey email this many hours after solving.
    delay_hours = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"Survey of {self.workspace}"


class SurveyRequest(models.Model):
    """A survey sent for a ticket (once): the denominator of the response rate."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)


class Rating(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    score = models.PositiveSmallIntegerField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10)  # of the ticket
    via = models.CharField(max_length=10, default="email")  # where the rating was given
    comment = models.TextField(blank=True)
    comment_sentiment = models.FloatField(null=True, blank=True)
    consent_to_share = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]


class FollowUp(models.Model):
    """Closed loop: a bad rating asks a lead to get back to the customer."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    # The team's lead (or none: any admin); told by email, closes it with a note.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )


class SurveyOptOut(models.Model):
    """This customer asked not to get surveys."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
