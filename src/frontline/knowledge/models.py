"""Knowledge base: articles in Markdown (rendered and sanitised), in categories, draft or
published, public or for agents only, with every saved version kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace


class Category(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="kb_category_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone (help center)"
        INTERNAL = "internal", "Agents only"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    body = models.TextField()  # Markdown
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    language = models.CharField(max_length=8, default="en")
    # The kind of question it answers: an intent of the workspace's triage model. The
    # virtual agent answers a question the model recognises with confidence from this
    # article (see assistant.virtual_agent).
    intent = models.CharField(max_length=100, blank=True, db_index=True)
    tags = models.JSONField(default=list, blank=True)  # lower-case words, for browsing
    # A translation points to the article it translates (the original has None).
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="translations"
    )
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="kb_article_slug_unique"),
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="kb_one_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def in_help_center(self) -> bool:
        """Published and public: what anyone may read (the rule of `public_articles`)."""
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC


class ArticleVersion(models.Model):
    """Every save of an article, so any earlier text can be compared and restored."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique")
        ]


class HelpfulVote(models.Model):
    """A reader's "was this helpful?" answer, with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Passage(models.Model):
    """A section of an article (split at its headings) with its sentence embedding, for
    search that understands questions (and, later, the virtual agent's answers)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    vector = models.BinaryField()  # float32, L2-normalised (assistant encoder "minilm")

    class Meta:
        ordering = ["article", "position"]


class SearchLog(models.Model):
    """A help-center search and how well it was answered: the content-gap report."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=200)
    results = models.PositiveSmallIntegerField()
    best_similarity = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]


class ArticleFile(models.Model):
    """A file or image attached to an article: listed under it, and an image can be shown
    in its text (the editor gives the Markdown). Stored like ticket attachments."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    attachment = models.ForeignKey("tickets.Attachment", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
