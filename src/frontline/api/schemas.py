"""Request and response shapes. Inputs reject unknown fields (a typo is an error, not a
silently ignored value); outputs are built by the serialisers in `out.py`."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class In(Schema):
    model_config = ConfigDict(extra="forbid")


Ref = int | str  # an id, or a natural key (email for people, slug for teams)


class Error(Schema):
    code: str
    message: str
    details: list[dict[str, str]]


class PersonOut(Schema):
    id: int
    name: str
    email: str


class TeamRef(Schema):
    id: int
    slug: str
    name: str


class TriageOut(Schema):
    intent: str | None = Field(None, description="The model's best guess, even when unsure")
    confidence: float | None
    unsure: bool = Field(description="Below the model's threshold: routed as unsure")
    sentiment: float = Field(description="-1 (very negative) to 1 (very positive)")
    frustrated: bool
    signals: list[str] = Field(description='Why it looks upset, e.g. "all caps"')
    language: str | None = Field(None, description="ISO 639-1 code")
    model_version: int | None


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: str
    priority: str
    channel: str
    requester: PersonOut
    assignee: PersonOut | None
    team: TeamRef | None
    tags: list[str]
    custom_fields: dict[str, Any]
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    snippet: str | None = Field(None, description="Search matches in <mark>, HTML-escaped")
    triage: TriageOut | None = Field(None, description="What the assistant read on arrival")


class TicketPage(Schema):
    count: int
    next: str | None = Field(None, description="Cursor for the next page, or null")
    items: list[TicketOut]


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class MessageOut(Schema):
    id: int
    visibility: Literal["public", "internal"]
    author_type: str
    author: PersonOut | None
    body_text: str
    body_html: str
    attachments: list[AttachmentOut]
    created_at: datetime


class TicketDetail(TicketOut):
    followers: list[PersonOut]
    messages: list[MessageOut]


class TicketCreate(In):
    subject: str
    body: str = ""
    body_html: str | None = None
    requester_id: int | None = None
    requester_email: str | None = None
    requester_name: str = ""
    channel: str = "api"
    status: str | None = None
    priority: str = "normal"
    assignee: Ref | None = None
    team: Ref | None = None
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}
    attachments: list[int] = Field([], description="Ids of uploaded attachments")
    internal: bool = Field(False, description="Agent-opened: the first message is the agent's")


class TicketUpdate(In):
    subject: str | None = None
    status: str | None = None
    priority: str | None = None
    assignee: Ref | None = None
    team: Ref | None = None
    tags: list[str] | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class MessageCreate(In):
    type: Literal["reply", "note"] = "reply"
    body: str = ""
    body_html: str | None = None
    attachments: list[int] = []
    status: str | None = Field(None, description="Set the ticket's status with a reply")


class CustomerMessageCreate(In):
    body: str = ""
    body_html: str | None = None
    attachments: list[int] = []


class MergeIn(In):
    into: int = Field(description="Number of the ticket that absorbs this one")


class RoundRobinIn(In):
    team: Ref


class BulkIn(In):
    numbers: list[int] = Field(min_length=1, max_length=500)
    changes: TicketUpdate = TicketUpdate()
    macro: int | None = None


class BulkFailure(Schema):
    number: int
    code: str
    message: str


class BulkOut(Schema):
    updated: list[int]
    failed: list[BulkFailure]


class EventOut(Schema):
    id: int
    kind: str
    ticket: int | None
    actor_type: str
    actor: PersonOut | None
    before: Any
    after: Any
    created_at: datetime


class EventPage(Schema):
    next: str | None
    items: list[EventOut]
