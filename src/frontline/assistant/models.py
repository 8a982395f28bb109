"""The assistant's state per workspace: its settings, trained intent models (versioned),
routing rules, and what it concluded about each ticket."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.lib.indexes import set_only_index
from frontline.tickets.models import Priority, Team, Ticket

UNSURE = "__unsure__"  # the routing rule for messages the model is not sure about


class AssistantSettings(models.Model):
    """What the assistant learns from and does, per workspace."""

    class LabelSource(models.TextChoices):
        CUSTOM_FIELD = "custom_field", "A custom field (one of a list)"
        TEAM = "team", "The ticket's team"
        TAG_GROUP = "tag_group", "Tags that start with a prefix"

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="assistant_settings"
    )
    enabled = models.BooleanField(default=True)
    label_source = models.CharField(
        max_length=20, choices=LabelSource.choices, default=LabelSource.CUSTOM_FIELD
    )
    # The custom field key (custom_field) or the tag prefix (tag_group), e.g. "intent".
    label_key = models.CharField(max_length=60, blank=True, default="intent")
    # Comma-separated encoder names (assistant.ml.encoders); empty: the default pipeline.
    encoders = models.CharField(max_length=100, blank=True)
    # Where tickets go when the model is unsure and no rule says otherwise.
    default_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retrain_every_hours = models.PositiveIntegerField(default=24)
    # Generated answers (virtual agent) through an OpenAI-compatible endpoint; off: the
    # answer is the article's passage itself. The key is sealed (lib/sealed).
    generate_answers = models.BooleanField(default=False)
    generation_url = models.CharField(max_length=300, blank=True)
    generation_model = models.CharField(max_length=100, blank=True)
    generation_key = models.TextField(blank=True)
    # Set when a training is queued, so the scheduler does not queue it twice.
    training_requested_at = models.DateTimeField(null=True, blank=True)

    # The virtual agent (its name and on/off in chat are the chat's settings).
    class Tone(models.TextChoices):
        FRIENDLY = "friendly", "Warm and friendly"
        NEUTRAL = "neutral", "Plain and brief"
        FORMAL = "formal", "Formal"

    class EmailMode(models.TextChoices):
        OFF = "off", "Off"
        SUGGEST = "suggest", "Suggest the answer to the agent on the ticket"
        ANSWER = "answer", "Answer the customer first; a person follows up if it did not help"

    class Hours(models.TextChoices):
        ALWAYS = "always", "At all hours"
        OUTSIDE = "outside", "Only outside business hours"
        INSIDE = "inside", "Only during business hours"

    bot_tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.FRIENDLY)
    bot_help_center = models.BooleanField(default=True)
    bot_email = models.CharField(
        max_length=10, choices=EmailMode.choices, default=EmailMode.SUGGEST
    )
    bot_hours = models.CharField(max_length=10, choices=Hours.choices, default=Hours.ALWAYS)
    # The confidence needed to answer; None: the built-in default (virtual_agent.ANSWER_AT).
    bot_answer_at = models.FloatField(null=True, blank=True)
    # Daily: move bot_answer_at to the threshold customers' verdicts suggest (bot_report).
    bot_auto_threshold = models.BooleanField(default=False)


class IntentModelVersion(models.Model):
    """One training run. At most one version per workspace is active."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Replaced by a newer version"
        REJECTED = "rejected", "Not better than the active version"
        FAILED = "failed", "Training failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices)
    trigger = models.CharField(max_length=20, default="manual")  # manual, schedule, command
    # The serialised model (assistant.ml.intent.IntentModel.to_bytes); empty when failed.
    file = models.FileField(upload_to="assistant/models/", blank=True)
    label_source = models.CharField(max_length=80)
    report = models.JSONField(default=dict)  # TrainingReport.as_dict(), or {"error": ...}
    created_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_model_number"),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(state="active"),
                name="one_active_model_per_workspace",
            ),
        ]

    @property
    def accuracy(self) -> float | None:
        return self.report.get("holdout_accuracy")

    @property
    def macro_f1(self) -> float | None:
        return self.report.get("holdout_macro_f1")


class RoutingRule(models.Model):
    """What to do with a ticket of one intent (or with the unsure ones)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    intent = models.CharField(max_length=200)  # a label, or UNSURE
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    add_tags = models.JSONField(default=list, blank=True)
    # The virtual agent never answers this intent: a person always does (fraud, complaints).
    always_human = models.BooleanField(default=False)

    class Meta:
        ordering = ["intent"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "intent"], name="one_rule_per_intent")
        ]


class TicketInsight(models.Model):
    """What the assistant concluded about a ticket when it arrived."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="insight")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    model_version = models.ForeignKey(
        IntentModelVersion, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    intent = models.CharField(max_length=200, blank=True)  # best guess, even when unsure
    confidence = models.FloatField(null=True, blank=True)
    unsure = models.BooleanField(default=False)
    # The predicted label was written into the label field/team/tag: a human change of it
    # afterwards is a correction, and the machine's own label is never trained on.
    wrote_label = models.BooleanField(default=False)
    sentiment = models.FloatField(default=0.0)  # -1 (very negative) … 1 (very positive)
    frustrated = models.BooleanField(default=False)
    signals = models.JSONField(default=list, blank=True)  # why: ["all caps", "threat to leave"]
    language = models.CharField(max_length=8, blank=True)  # ISO 639-1, "" when unknown
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [set_only_index("model_version", "insight_model_version_idx")]


class SimilarTicketsIndex(models.Model):
    """Embeddings of recently solved tickets that have a final public reply, for "similar
    tickets" and suggested replies. Rebuilt with each training; one per workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    # numpy .npz: ticket ids and an L2-normalised float32 matrix (assistant.similar).
    file = models.FileField(upload_to="assistant/similar/")
    size = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(default=timezone.now)


class BotTurn(models.Model):
    """A question to the virtual agent, what it did, and how it ended."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Answered, no verdict (assumed resolved)"
        RESOLVED = "resolved", "Resolved (customer confirmed)"
        HANDED_OVER = "handed_over", "Handed over to a person"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    question = models.TextField()
    kind = models.CharField(max_length=10)  # answer, clarify, handover
    reason = models.CharField(max_length=200, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    article = models.ForeignKey(
        "knowledge.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    # The customer's verdict on an answer ("it helped" / "it did not"), None: no verdict.
    helped = models.BooleanField(null=True, blank=True)
    channel = models.CharField(max_length=12, default="help_center")  # chat, email, help_center
    # The conversation it belongs to (chat and email); help-center questions stand alone.
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]
