"""Export a workspace as JSON lines, and import such a file as a new workspace.

One object per line: {"type": ..., "data": {...}}, in dependency order, starting with a
header. Rows refer to each other by their exported ids (customers, companies), by
natural keys (user emails, team slugs, tag names) or by ticket numbers, so a file is
readable and can be produced by other tools. Password hashes and API tokens are never
exported. Import restores history verbatim (messages, events and their times) rather
than replaying it through the services, in one transaction: a bad line aborts it all.

Other apps add their own lines (knowledge base, assistant, chat) as a `Section`,
registered from their AppConfig.ready, so this module never imports them. Their lines
follow the tickets' and may refer to anything imported before them through the
`Importer`'s maps.
"""

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from frontline.accounts.models import Membership, User, Workspace
from frontline.accounts.services import set_logo
from frontline.lib.errors import ServiceError
from frontline.tickets.models import (
    Attachment,
    Company,
    Customer,
    CustomerEmail,
    CustomField,
    Event,
    Macro,
    Message,
    SavedView,
    Tag,
    Team,
    Ticket,
)
from frontline.tickets.services.tickets import index_ticket

FORMAT = "frontline-export"
VERSION = 1


class ImportFailed(ValueError):
    """A line that cannot be imported; says which and why."""


@dataclass(frozen=True)
class Section:
    """Another app's part of an export: its lines, and a reader for each line type.
    `finish` runs after the last line (inside the import's transaction)."""

    name: str
    position: int  # sections are written in this order (a later one may refer back)
    export: Callable[[Workspace], Iterator[dict]]
    readers: dict[str, Callable[["Importer", dict], None]]
    finish: Callable[["Importer"], None] | None = None


@dataclass(frozen=True)
class Rows:
    """A model whose rows are copied as they are, for sections: `fields` as stored,
    `refs` written as what names them in an export: "user" (email), "ticket" (number),
    "team" (slug), "customer" or "message" (its exported id), or the `kind` of Rows that
    keep their ids (`keep_ids`). Bytes are written in base64. `scope` is the lookup from
    the model to its workspace; `adjust` may rewrite a line's data before it is stored
    (for references inside a value)."""

    kind: str
    model: type
    fields: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)
    keep_ids: bool = False
    one_per_workspace: bool = False
    scope: str = "workspace"
    adjust: Callable[["Importer", dict], dict] | None = None

    def export(self, ws: Workspace) -> Iterator[dict]:
        named = [f for f, k in self.refs.items() if k in NAMED_BY]
        rows = self.model.objects.filter(**{self.scope: ws})
        if named:
            rows = rows.select_related(*named)
        for row in rows.order_by("pk").iterator(chunk_size=1000):
            data = {"id": row.pk} if self.keep_ids else {}
            data |= {f: _plain(getattr(row, f)) for f in self.fields}
            for f, kind in self.refs.items():
                data[f] = _reference(row, f, kind)
            yield {"type": self.kind, "data": data}

    def read(self, imp: "Importer", d: dict):
        d = self.adjust(imp, d) if self.adjust else d
        meta = self.model._meta
        values = {f: _stored(meta.get_field(f), d[f]) for f in self.fields if f in d}
        for f, kind in self.refs.items():
            values[f"{f}_id"] = imp.resolve(kind, d.get(f))
            if values[f"{f}_id"] is None and not meta.get_field(f).null:
                raise ValueError(f"{self.kind}: {f!r} is required")
        if self.scope == "workspace":
            values["workspace"] = imp.workspace
        if self.one_per_workspace:
            row, _ = self.model.objects.update_or_create(workspace=imp.workspace, defaults=values)
        else:
            row = self.model.objects.create(**values)
        if self.keep_ids:
            imp.maps.setdefault(self.kind, {})[d["id"]] = row.pk
        return row


NAMED_BY = {"user": "email", "ticket": "number", "team": "slug"}


def _plain(value):
    """Bytes (a raw email) as base64 text: JSON has no bytes."""
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _stored(model_field, value):
    if isinstance(model_field, models.BinaryField) and value is not None:
        return base64.b64decode(value, validate=True)
    return model_field.to_python(value)


def _reference(row, name: str, kind: str):
    if kind not in NAMED_BY:
        return getattr(row, f"{name}_id")
    target = getattr(row, name)
    return getattr(target, NAMED_BY[kind]) if target is not None else None


def rows_section(name: str, position: int, rows: list[Rows], finish=None) -> Section:
    """A section made of Rows only, written in the order given."""

    def export(ws: Workspace) -> Iterator[dict]:
        for r in rows:
            yield from r.export(ws)

    return Section(
        name=name,
        position=position,
        export=export,
        readers={r.kind: r.read for r in rows},
        finish=finish,
    )


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _sections[section.name] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: s.position)


# ---- export ------------------------------------------------------------------------------


def export_workspace(workspace: Workspace) -> Iterator[dict]:
    ws = workspace
    yield {"type": FORMAT, "data": {"version": VERSION}}
    yield {
        "type": "workspace",
        "data": {
            "name": ws.name,
            "slug": ws.slug,
            "time_zone": ws.time_zone,
            "business_hours": ws.business_hours,
            "agent_ticket_visibility": ws.agent_ticket_visibility,
            "logo": _logo(ws),
        },
    }
    for m in Membership.objects.filter(workspace=ws).select_related("user").order_by("pk"):
        yield {
            "type": "member",
            "data": {
                "email": m.user.email,
                "name": m.user.name,
                "role": m.role,
                "is_available": m.is_available,
            },
        }
    for c in Company.objects.filter(workspace=ws).order_by("pk"):
        yield {
            "type": "company",
            "data": {
                "id": c.pk,
                "name": c.name,
                "domains": c.domains,
                "notes": c.notes,
            },
        }
    customers = ws.customers.order_by("pk").prefetch_related("emails")
    for c in customers.iterator(chunk_size=500):
        yield {
            "type": "customer",
            "data": {
                "id": c.pk,
                "name": c.name,
                "email": c.email,
                "emails": sorted(e.email for e in c.emails.all()),
                "phone": c.phone,
                "external_id": c.external_id,
                "language": c.language,
                "company": c.company_id,
                "notes": c.notes,
                "created_at": c.created_at,
            },
        }
    teams = Team.objects.filter(workspace=ws).select_related("lead").prefetch_related("members")
    for t in teams.order_by("pk"):
        yield {
            "type": "team",
            "data": {
                "slug": t.slug,
                "name": t.name,
                "description": t.description,
                "lead": t.lead.email if t.lead else None,
                "members": sorted(u.email for u in t.members.all()),
            },
        }
    for tag in Tag.objects.filter(workspace=ws).order_by("name"):
        yield {"type": "tag", "data": {"name": tag.name}}
    for f in CustomField.objects.filter(workspace=ws).order_by("position", "pk"):
        yield {
            "type": "custom_field",
            "data": {
                k: getattr(f, k)
                for k in ("key", "label", "type", "choices", "required", "public", "position")
            },
        }
    for m in Macro.objects.filter(workspace=ws).order_by("pk"):
        yield {
            "type": "macro",
            "data": {
                k: getattr(m, k)
                for k in ("name", "body", "visibility", "actions", "active", "position")
            },
        }
    for v in SavedView.objects.filter(workspace=ws).select_related("owner").order_by("pk"):
        yield {
            "type": "view",
            "data": {
                "name": v.name,
                "query": v.query,
                "order": v.order,
                "position": v.position,
                "owner": v.owner.email if v.owner else None,
            },
        }
    yield from _export_tickets(ws)
    for section in sections():
        yield from section.export(ws)


def _export_tickets(ws: Workspace) -> Iterator[dict]:
    tickets = (
        Ticket.objects.filter(workspace=ws)
        .order_by("number")
        .select_related("assignee", "team", "merged_into")
        .prefetch_related("tags", "followers")
    )
    for t in tickets.iterator(chunk_size=500):
        yield {
            "type": "ticket",
            "data": {
                "number": t.number,
                "subject": t.subject,
                "status": t.status,
                "priority": t.priority,
                "channel": t.channel,
                "requester": t.requester_id,
                "assignee": t.assignee.email if t.assignee else None,
                "team": t.team.slug if t.team else None,
                "tags": sorted(x.name for x in t.tags.all()),
                "followers": sorted(f.pk for f in t.followers.all()),
                "custom_fields": t.custom_fields,
                "merged_into": t.merged_into.number if t.merged_into else None,
                "created_at": t.created_at,
                "updated_at": t.updated_at,
                "solved_at": t.solved_at,
            },
        }
    messages = (
        Message.objects.filter(workspace=ws)
        .order_by("pk")
        .select_related("ticket", "author_user")
        .prefetch_related("attachments")
    )
    for m in messages.iterator(chunk_size=500):
        yield {
            "type": "message",
            "data": {
                "id": m.pk,
                "ticket": m.ticket.number,
                "visibility": m.visibility,
                "author_type": m.author_type,
                "author_user": m.author_user.email if m.author_user else None,
                "author_customer": m.author_customer_id,
                "body_text": m.body_text,
                "body_html": m.body_html,
                "created_at": m.created_at,
                "attachments": [attachment_line(a) for a in m.attachments.all()],
            },
        }
    events = (
        Event.objects.filter(workspace=ws).order_by("pk").select_related("ticket", "actor_user")
    )
    for e in events.iterator(chunk_size=1000):
        yield {
            "type": "event",
            "data": {
                "ticket": e.ticket.number if e.ticket else None,
                "kind": e.kind,
                "actor_type": e.actor_type,
                "actor_user": e.actor_user.email if e.actor_user else None,
                "actor_customer": e.actor_customer_id,
                "before": e.before,
                "after": e.after,
                "created_at": e.created_at,
            },
        }


def _logo(ws: Workspace) -> dict | None:
    if not ws.logo:
        return None
    with ws.logo.open("rb") as f:
        return {"content_type": ws.logo_type, "content": base64.b64encode(f.read()).decode()}


def attachment_line(a: Attachment) -> dict:
    """A stored file as export data (its bytes in base64); sections use it too."""
    with a.file.open("rb") as f:
        content = base64.b64encode(f.read()).decode()
    return {"filename": a.filename, "content_type": a.content_type, "content": content}


def write_export(workspace: Workspace, out: IO[str]) -> int:
    count = 0
    for row in export_workspace(workspace):
        out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
        count += 1
    return count


# ---- import ------------------------------------------------------------------------------


def import_workspace(
    lines: Iterable[str], *, slug: str | None = None, counts: dict | None = None
) -> Workspace:
    """Create a new workspace from an export. ImportFailed names the bad line. `counts`,
    when given, is filled with the number of lines of each type."""
    state = Importer(slug)
    with transaction.atomic():
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                kind, data = row["type"], row["data"]
                if number == 1 and kind != FORMAT:
                    raise ValueError("this is not a Frontline export (no header line)")
                state.add(kind, data)
                if counts is not None:
                    counts[kind] = counts.get(kind, 0) + 1
            except (ValueError, KeyError, TypeError, ValidationError, IntegrityError) as exc:
                # (the transaction is rolled back whole: nothing of the file stays)
                raise ImportFailed(f"line {number}: {_describe(exc)}") from None
        if state.workspace is None:
            raise ImportFailed("the file has no workspace line")
        state.finish()
    return state.workspace


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, IntegrityError):
        return f"it clashes with a line before it ({exc})"
    return str(exc) or type(exc).__name__


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Importer:
    """The state of one import: the new workspace and maps from exported references
    (user emails, customer ids, team slugs, ticket numbers, message ids) to new rows.
    Sections keep their own maps in `extra`."""

    def __init__(self, slug: str | None):
        self.slug = slug
        self.source_slug = ""
        self.workspace: Workspace | None = None
        self.messages: dict[int, int] = {}
        self.maps: dict[str, dict[int, int]] = {}  # Rows kind -> exported id -> new pk
        self.extra: dict[str, Any] = {}
        self.users: dict[str, User] = {}
        self.companies: dict[int, int] = {}
        self.customers: dict[int, int] = {}
        self.teams: dict[str, Team] = {}
        self.tags: dict[str, Tag] = {}
        self.tickets: dict[int, Ticket] = {}
        self.merges: list[tuple[int, int]] = []

    def add(self, kind: str, data: dict[str, Any]) -> None:
        if kind == FORMAT:
            if data.get("version") != VERSION:
                raise ValueError(f"unsupported export version {data.get('version')}")
            return
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            reader = next((s.readers[kind] for s in sections() if kind in s.readers), None)
            if reader is None:
                raise ValueError(f"unknown line type {kind!r}")
            handler = lambda d: reader(self, d)  # noqa: E731
        if kind != "workspace" and self.workspace is None:
            raise ValueError("the workspace line must come first")
        handler(data)

    # For sections: look-ups that fail with a clear message.
    def user(self, email: str | None) -> User | None:
        return self._user(email)

    def ticket(self, number: int) -> Ticket:
        return self._ticket_of(number)

    def team(self, slug: str | None) -> Team | None:
        if not slug:
            return None
        if slug not in self.teams:
            raise ValueError(f"unknown team {slug!r}")
        return self.teams[slug]

    def customer_id(self, exported: int | None) -> int | None:
        return self.customers.get(exported) if exported is not None else None

    def message_id(self, exported: int | None) -> int | None:
        return self.messages.get(exported) if exported is not None else None

    def resolve(self, kind: str, ref) -> int | None:
        """The new primary key for a reference written by `Rows` (None stays None)."""
        if ref is None or ref == "":
            return None
        if kind == "user":
            return self.user(ref).pk
        if kind == "ticket":
            return self.ticket(ref).pk
        if kind == "team":
            return self.team(ref).pk
        known = {"customer": self.customers, "message": self.messages}.get(kind)
        found = (known if known is not None else self.maps.get(kind, {})).get(ref)
        if found is None:
            raise ValueError(f"unknown {kind} {ref!r}")
        return found

    def store_file(self, a: dict, message: Message | None = None) -> Attachment:
        """A file from export data, stored in the new workspace."""
        content = base64.b64decode(a["content"], validate=True)
        att = Attachment(
            workspace=self.workspace,
            message=message,
            filename=a["filename"],
            content_type=a["content_type"],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        att.file.save(att.sha256, ContentFile(content), save=False)
        att.save()
        return att

    def _workspace(self, d):
        self.source_slug = d["slug"]
        slug = self.slug or d["slug"]
        if Workspace.objects.filter(slug=slug).exists():
            raise ValueError(f"a workspace with the slug {slug!r} exists; choose --slug")
        self.workspace = Workspace.objects.create(
            name=d["name"],
            slug=slug,
            time_zone=d.get("time_zone", "UTC"),
            business_hours=d.get("business_hours") or {},
            agent_ticket_visibility=d.get("agent_ticket_visibility", "all"),
        )
        if d.get("logo"):
            content = base64.b64decode(d["logo"]["content"], validate=True)
            try:  # judged like an uploaded logo: an image, not too big
                set_logo(self.workspace, SimpleUploadedFile("logo", content))
            except ServiceError as exc:
                raise ValueError(f"logo: {exc.message}") from None

    def _user(self, email: str | None) -> User | None:
        if not email:
            return None
        if email not in self.users:
            user = User.objects.filter(email__iexact=email).first()
            # New people get no usable password: they set one through "forgot password".
            self.users[email] = user or User.objects.create_user(email, None)
        return self.users[email]

    def _member(self, d):
        user = self._user(d["email"])
        if d.get("name") and not user.name:
            user.name = d["name"]
            user.save(update_fields=["name"])
        Membership.objects.create(
            workspace=self.workspace,
            user=user,
            role=d["role"],
            is_available=d.get("is_available", True),
        )

    def _company(self, d):
        c = Company.objects.create(
            workspace=self.workspace,
            name=d["name"],
            domains=d.get("domains", []),
            notes=d.get("notes", ""),
        )
        self.companies[d["id"]] = c.pk

    def _customer(self, d):
        c = Customer.objects.create(
            workspace=self.workspace,
            name=d.get("name", ""),
            email=d.get("email", ""),
            phone=d.get("phone", ""),
            external_id=d.get("external_id", ""),
            language=d.get("language", ""),
            notes=d.get("notes", ""),
            company_id=self.companies.get(d.get("company")) if d.get("company") else None,
            created_at=parse_time(d.get("created_at")) or self.workspace.created_at,
        )
        CustomerEmail.objects.bulk_create(
            CustomerEmail(workspace=self.workspace, customer=c, email=e)
            for e in d.get("emails", [])
        )
        self.customers[d["id"]] = c.pk

    def _team(self, d):
        t = Team.objects.create(
            workspace=self.workspace,
            slug=d["slug"],
            name=d["name"],
            description=d.get("description", ""),
            lead=self._user(d.get("lead")),
        )
        t.members.set([self._user(e) for e in d.get("members", [])])
        self.teams[t.slug] = t

    def _tag(self, d):
        self.tags[d["name"]] = Tag.objects.create(workspace=self.workspace, name=d["name"])

    def _custom_field(self, d):
        CustomField.objects.create(workspace=self.workspace, **d)

    def _macro(self, d):
        Macro.objects.create(workspace=self.workspace, **d)

    def _view(self, d):
        SavedView.objects.create(
            workspace=self.workspace,
            name=d["name"],
            query=d["query"],
            order=d["order"],
            position=d.get("position", 0),
            owner=self._user(d.get("owner")),
        )

    def _ticket(self, d):
        if d["requester"] not in self.customers:
            raise ValueError(f"ticket {d['number']}: unknown requester {d['requester']}")
        t = Ticket.objects.create(
            workspace=self.workspace,
            number=d["number"],
            subject=d["subject"],
            status=d["status"],
            priority=d["priority"],
            channel=d["channel"],
            requester_id=self.customers[d["requester"]],
            assignee=self._user(d.get("assignee")),
            team=self.teams[d["team"]] if d.get("team") else None,
            custom_fields=d.get("custom_fields") or {},
            created_at=parse_time(d["created_at"]),
            updated_at=parse_time(d["updated_at"]),
            solved_at=parse_time(d.get("solved_at")),
        )
        t.tags.set([self.tags.get(n) or self._new_tag(n) for n in d.get("tags", [])])
        t.followers.set([self.customers[f] for f in d.get("followers", [])])
        if d.get("merged_into"):
            self.merges.append((t.pk, d["merged_into"]))
        self.tickets[t.number] = t

    def _new_tag(self, name: str) -> Tag:
        self.tags[name] = Tag.objects.create(workspace=self.workspace, name=name)
        return self.tags[name]

    def _ticket_of(self, number):
        if number not in self.tickets:
            raise ValueError(f"unknown ticket number {number}")
        return self.tickets[number]

    def _message(self, d):
        m = Message.objects.create(
            workspace=self.workspace,
            ticket=self._ticket_of(d["ticket"]),
            visibility=d["visibility"],
            author_type=d["author_type"],
            author_user=self._user(d.get("author_user")),
            author_customer_id=self.customers.get(d.get("author_customer")),
            body_text=d["body_text"],
            body_html=d.get("body_html", ""),
            created_at=parse_time(d["created_at"]),
        )
        if d.get("id") is not None:
            self.messages[d["id"]] = m.pk
        for a in d.get("attachments", []):
            self.store_file(a, message=m)

    def _event(self, d):
        Event.objects.bulk_create(
            [
                Event(
                    workspace=self.workspace,
                    ticket=self._ticket_of(d["ticket"]) if d.get("ticket") else None,
                    actor_type=d["actor_type"],
                    actor_user=self._user(d.get("actor_user")),
                    actor_customer_id=self.customers.get(d.get("actor_customer")),
                    kind=d["kind"],
                    before=d.get("before"),
                    after=d.get("after"),
                    created_at=parse_time(d["created_at"]),
                )
            ]
        )

    def finish(self) -> None:
        for pk, number in self.merges:
            Ticket.objects.filter(pk=pk).update(merged_into=self._ticket_of(number))
        ws = self.workspace
        ws.last_ticket_number = max(self.tickets, default=0)
        ws.save(update_fields=["last_ticket_number"])
        for t in self.tickets.values():
            index_ticket(t)
        for section in sections():
            if section.finish is not None:
                section.finish(self)


# ---- downloads from the web (owners) ---------------------------------------------------


def request_export(workspace: Workspace, *, by: User):
    """Queue a download of the whole workspace for the task worker; one at a time."""
    from frontline.tickets.events import Actor, event, record
    from frontline.tickets.models import WorkspaceExport
    from frontline.tickets.tasks import write_workspace_export

    queued = WorkspaceExport.objects.filter(workspace=workspace, state=WorkspaceExport.State.QUEUED)
    if queued.exists():
        raise ServiceError("An export is being written already", code="busy", status=409)
    with transaction.atomic():
        export = WorkspaceExport.objects.create(workspace=workspace, requested_by=by)
        record([event(workspace.pk, Actor.of(by), "workspace.export_requested",
                      after={"export": export.pk})])  # fmt: skip
        transaction.on_commit(lambda: write_workspace_export.enqueue(export.pk))
    return export


def write_requested_export(export) -> None:
    """The worker's half: the file, its size and line count; a failure is kept with its
    reason for the owner to see (never a half-written file offered as ready)."""
    import tempfile

    from django.core.files import File

    from frontline.lib import clock

    State = type(export).State
    try:
        with tempfile.TemporaryFile("w+b") as raw:
            with open(raw.fileno(), "w", encoding="utf-8", closefd=False) as text:
                lines = write_export(export.workspace, text)
            raw.seek(0)
            export.file.save(f"{export.workspace.slug}.jsonl", File(raw), save=False)
        export.lines, export.size, export.state = lines, export.file.size, State.DONE
    except Exception as exc:  # kept for the owner; the task itself succeeds
        export.state, export.error = State.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    export.finished_at = clock.now()
    export.save(update_fields=["file", "lines", "size", "state", "error", "finished_at"])


def expire_exports() -> int:
    """Downloads older than `KEEP_DAYS` go, file and all."""
    from datetime import timedelta

    from frontline.lib import clock
    from frontline.tickets.models import WorkspaceExport

    old = WorkspaceExport.objects.filter(
        created_at__lt=clock.now() - timedelta(days=WorkspaceExport.KEEP_DAYS)
    )
    gone = 0
    for export in old:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        gone += 1
    return gone
