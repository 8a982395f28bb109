"""Recognition: kudos between colleagues and from customers, shown on the team wall with
reactions. Customer praise reaches the wall only after a lead approves it (or at once if
the workspace says so), and the customer's words only with their consent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.tickets.models import Ticket

DEFAULT_VALUES = "Empathy\nOwnership\nExpertise\nTeamwork\nGoing the extra mile"


class RecognitionSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="recognition_settings"
    )
    values = models.TextField(default=DEFAULT_VALUES)  # one per line
    auto_approve_customer_praise = models.BooleanField(default=False)
    monthly_allowance = models.PositiveIntegerField(
        default=0
    )  # kudos a person may give; 0: no limit
    # On the Customer Service Week recap and its shareable card.
    hashtags = models.CharField(max_length=120, default="#CustomerServiceWeek #SupportHeroes")

    def value_list(self) -> list[str]:
        return [v.strip() for v in self.values.splitlines() if v.strip()]


class Kudos(models.Model):
    class Source(models.TextChoices):
        PEER = "peer", "From a colleague"
        CUSTOMER = "customer", "From a customer"
        AWARD = "award", "An award"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a lead"
        SHOWN = "shown", "On the wall"
        DECLINED = "declined", "Not shown"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PEER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SHOWN)
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="kudos_given",
    )  # fmt: skip
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    value = models.CharField(max_length=60, blank=True)
    message = models.TextField()  # a customer's words only with their consent
    # On the wall for everyone (the default), or seen by the giver and the receiver only.
    public = models.BooleanField(default=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL)
    rating = models.OneToOneField(
        "feedback.Rating", null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "created_at"])]


class Reaction(models.Model):
    EMOJI = ["👏", "❤️", "🎉", "🙌"]

    kudos = models.ForeignKey(Kudos, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kudos", "user", "emoji"], name="one_reaction_each")
        ]


class Celebration(models.Model):
    """A workspace's own observance (the built-in ones are computed, see celebrations)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    start = models.DateField()
    end = models.DateField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["start"]


class PlanDay(models.Model):
    """One day of the workspace's Customer Service Week plan for a year (0 = Monday)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()  # 0–4
    theme = models.CharField(max_length=120)
    activities = models.TextField(blank=True)

    class Meta:
        ordering = ["year", "day"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "year", "day"], name="one_plan_per_day")
        ]


class Award(models.Model):
    """A winner announced for a category and period, with the figures behind it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=30)
    title = models.CharField(max_length=120)
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    winner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=200)  # e.g. "CSAT 96.0 % from 25 ratings"
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-announced_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "category", "period_start", "period_end"],
                name="one_winner_per_award_and_period",
            )
        ]


class HiddenFromLeaderboards(models.Model):
    """This person asked not to appear in award standings."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="hidden_once")]


class ReminderSent(models.Model):
    """A Customer Service Week day's reminder went out (so it goes once)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "year", "day"], name="one_reminder")
        ]


class SuccessStory(models.Model):
    """A ticket told as a story for the team (anonymised by default)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=160)
    body = models.TextField()
    hero = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class Testimonial(models.Model):
    """A customer's comment, given with consent, published on the help center."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rating = models.OneToOneField(
        "feedback.Rating", on_delete=models.CASCADE, related_name="testimonial"
    )
    quote = models.TextField()
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class AwardCategory(models.Model):
    """A workspace's own award, decided by the team's votes."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="award_category_unique")
        ]


class Nomination(models.Model):
    """A colleague put forward for an award and period, with the reason."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=30)  # a built-in key or "custom-<id>"
    period_start = models.DateField()
    period_end = models.DateField()
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "category", "period_start", "period_end", "nominee"],
                name="nominated_once",
            )
        ]


class Vote(models.Model):
    """One vote per person per award and period (votes are never shown by name)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Copied from the nomination so that one vote per award and period is a constraint.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=30)
    period_start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "category", "period_start", "voter"], name="one_vote"
            )
        ]
