"""The help desk core: customers, teams, tickets, conversations and the event log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.lib.indexes import set_only_index


class Company(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="companies")
    name = models.CharField(max_length=200)
    domains = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_company_name")
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """Someone who asks for help. Their addresses live in CustomerEmail."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="Primary address (also in CustomerEmail).")
    phone = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=16, blank=True)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        db_index=False,  # see Meta.indexes
    )
    # Set when the customer signs in to the portal.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_profiles",
        db_index=False,
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_customer_external_id",
            )
        ]
        indexes = [
            set_only_index("company", "customer_company_idx"),
            set_only_index("user", "customer_user_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"Customer {self.pk}"


class CustomerEmail(models.Model):
    """Every address a customer writes from; one address maps to one customer."""

    # (workspace, email) is unique: that index serves the workspace's look-ups.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="unique_customer_email")
        ]

    def __str__(self) -> str:
        return self.email


class Team(models.Model):
    """A queue that tickets are routed to, worked by its members."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    # Who follows up the team's bad ratings (closed loop); none: the workspace's admins.
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # Round-robin cursor: the member who got the last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="unique_team_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_tag_name")
        ]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """A workspace-defined ticket field; ticket values are validated against it."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes/no"
        DATE = "date", "Date"
        SELECT = "select", "One of a list"
        MULTISELECT = "multiselect", "Several of a list"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="custom_fields")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    # Shown to customers on the web form and portal.
    public = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="unique_custom_field_key")
        ]

    def __str__(self) -> str:
        return self.label


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


# Statuses in which a ticket still needs work from the team.
UNSOLVED_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEB = "web", "Web form"
    CHAT = "chat", "Chat"
    API = "api", "API"
    PHONE = "phone", "Phone"


class Ticket(models.Model):
    # Indexes (Meta): every list filters by workspace first, so the composite indexes
    # serve it; a foreign key that is mostly empty gets an index of its set values only.
    # Each index is written by every create, inside SQLite's single write lock.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="tickets", db_index=False
    )
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=250)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    requester = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    # CC'd people and the requesters of merged tickets: they see public replies.
    followers = models.ManyToManyField(Customer, blank=True, related_name="followed_tickets")
    custom_fields = models.JSONField(default=dict, blank=True)
    # A merged ticket is closed and points to the ticket that absorbed it.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_ticket_number")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "updated_at"], name="ticket_status_idx"),
            models.Index(fields=["workspace", "updated_at"], name="ticket_updated_idx"),
            models.Index(fields=["workspace", "assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["workspace", "team", "status"], name="ticket_team_idx"),
            set_only_index("assignee", "ticket_assignee_set_idx"),
            set_only_index("team", "ticket_team_set_idx"),
            set_only_index("merged_into", "ticket_merged_into_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def customer_status(self) -> str:
        """The status as the customer sees it (internal states are not their concern)."""
        if self.status == Status.PENDING:
            return "Awaiting your reply"
        if self.status in (Status.SOLVED, Status.CLOSED):
            return self.get_status_display()
        return "Open"


class Message(models.Model):
    """One entry of a ticket's conversation: a public message or an internal note."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public reply"
        INTERNAL = "internal", "Internal note"

    class Author(models.TextChoices):
        AGENT = "agent", "Agent"
        CUSTOMER = "customer", "Customer"
        BOT = "bot", "Virtual agent"
        SYSTEM = "system", "System"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    ticket = models.ForeignKey(  # message_ticket_idx leads with it
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author_type = models.CharField(max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Sanitised; safe to render.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_idx"),
            set_only_index("author_user", "message_author_user_idx"),
            set_only_index("author_customer", "message_author_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} on #{self.ticket_id}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == self.Visibility.INTERNAL


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random; the original name is kept in `filename` for downloads.
    return f"attachments/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file uploaded first, then attached to one message."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class Macro(models.Model):
    """A canned reply plus field changes, applied in one click."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="macros")
    name = models.CharField(max_length=120)
    body = models.TextField(blank=True, help_text="Reply text; empty for actions only.")
    visibility = models.CharField(
        max_length=10, choices=Message.Visibility.choices, default=Message.Visibility.PUBLIC
    )
    # {"status": "pending", "priority": "high", "assignee": user id or null, "team": slug,
    #  "add_tags": [...], "remove_tags": [...], "custom_fields": {...}}
    actions = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_macro_name")
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A named ticket filter written in the search query language."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="views")
    name = models.CharField(max_length=120)
    query = models.CharField(max_length=500, blank=True)
    order = models.CharField(max_length=30, default="-updated_at")
    # Null owner: shared with the whole workspace.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The event log is append-only")

    def delete(self):
        raise TypeError("The event log is append-only")


class Event(models.Model):
    """Append-only log of every change: the source of truth for history and analytics."""

    class Actor(models.TextChoices):
        USER = "user", "User"
        CUSTOMER = "customer", "Customer"
        BOT = "bot", "Virtual agent"
        SYSTEM = "system", "System"

    # workspace and ticket lead the indexes in Meta.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    actor_type = models.CharField(max_length=10, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=60)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="event_time_idx"),
            models.Index(fields=["ticket", "created_at"], name="event_ticket_idx"),
            models.Index(fields=["workspace", "kind", "created_at"], name="event_kind_idx"),
            set_only_index("actor_customer", "event_actor_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The event log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The event log is append-only")


class SearchDocument(models.Model):
    """The searchable text of one ticket (subject + every message), kept by the services.

    Full-text indexes sit on top of this table: an FTS5 table fed in batches through a
    queue on SQLite (migration 0006, tickets.search.indexing), a GIN index on its
    tsvector on PostgreSQL (see migration 0002 and tickets.search).
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=250)
    body = models.TextField()


def export_path(instance: "WorkspaceExport", filename: str) -> str:
    # Random and unlisted; downloads go through the owners-only view anyway.
    return f"exports/{instance.workspace_id}/{secrets.token_hex(16)}.jsonl"


class WorkspaceExport(models.Model):
    """The whole workspace as a JSON-lines file (`portability`), written by the task
    worker for an owner to download, and removed after `KEEP_DAYS`."""

    KEEP_DAYS = 7

    class State(models.TextChoices):
        QUEUED = "queued", "Being written"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=export_path, blank=True, max_length=300)
    lines = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
