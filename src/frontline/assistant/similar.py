"""Similar solved tickets and their final replies, for the agent's ticket sidebar.

The index holds the most recent solved tickets that ended with a public reply from an
agent, embedded with the MiniLM encoder (meaning, not just words). It is rebuilt with
each training, so a ticket solved since then is found after the next one.
"""

import io
import re
import threading
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction

from frontline.assistant.labels import ticket_text
from frontline.assistant.models import SimilarTicketsIndex
from frontline.lib import clock
from frontline.tickets.models import Message, Status, Ticket

ENCODER = "minilm"
MAX_TICKETS = 20_000
MIN_SIMILARITY = 0.55  # cosine; below it the "similar" ticket is rarely about the same thing


@dataclass
class Similar:
    ticket: Ticket
    similarity: int  # percent
    reply: str


def _encode(texts: list[str]) -> np.ndarray:
    from frontline.assistant.ml.encoders import get_encoder

    return get_encoder(ENCODER).encode(texts)


def rebuild_index(workspace_id: int) -> int:
    """Embed the solved tickets with a final public reply; returns how many."""
    solved = list(
        Ticket.objects.filter(
            workspace_id=workspace_id,
            status__in=(Status.SOLVED, Status.CLOSED),
            merged_into__isnull=True,
        )
        .order_by("-updated_at")
        .values_list("pk", "subject")[:MAX_TICKETS]
    )
    subjects = dict(solved)
    first: dict[int, str] = {}
    replied: set[int] = set()
    for ticket_id, author, visibility, body in (
        Message.objects.filter(ticket_id__in=subjects)
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "author_type", "visibility", "body_text")
        .iterator(2000)
    ):
        if author == Message.Author.CUSTOMER:
            first.setdefault(ticket_id, body)
        elif author == Message.Author.AGENT and visibility == Message.Visibility.PUBLIC:
            replied.add(ticket_id)
    ids = [t for t in subjects if t in replied and t in first]
    vectors = (
        _encode([ticket_text(subjects[t], first[t]) for t in ids])
        if ids
        else np.zeros((0, 384), np.float32)
    )
    buffer = io.BytesIO()
    np.savez(buffer, ids=np.array(ids, dtype=np.int64), vectors=vectors.astype(np.float32))
    with transaction.atomic():
        index, _ = SimilarTicketsIndex.objects.select_for_update().get_or_create(
            workspace_id=workspace_id, defaults={"file": ""}
        )
        old = index.file.name
        index.file.save(
            f"{workspace_id}-{clock.now():%Y%m%d%H%M%S}.npz",
            ContentFile(buffer.getvalue()),
            save=False,
        )
        index.size, index.built_at = len(ids), clock.now()
        index.save()
    if old and old != index.file.name:
        index.file.storage.delete(old)
    _loaded.pop(workspace_id, None)
    return len(ids)


_loaded: dict[int, tuple[int, str, np.ndarray, np.ndarray]] = {}
_lock = threading.Lock()


def _index(workspace_id: int):
    index = SimilarTicketsIndex.objects.filter(workspace_id=workspace_id).first()
    if index is None or not index.size:
        return None
    cached = _loaded.get(workspace_id)
    if cached is None or cached[1] != index.file.name:
        with _lock, index.file.open("rb") as f:
            data = np.load(io.BytesIO(f.read()))
            cached = (index.pk, index.file.name, data["ids"], data["vectors"])
            _loaded[workspace_id] = cached
    return cached[2], cached[3]


def _readdress(reply: str, before, after) -> str:
    """The other customer's name in a reply becomes this customer's (a reply that greets
    the wrong person is worse than none)."""
    old = (before.name or "").strip()
    new = (after.name or "").strip()
    if not old:
        return reply
    if old in reply:
        reply = reply.replace(old, new or "there")
    first_old, first_new = old.split()[0], (new.split()[0] if new else "there")
    return re.sub(rf"\b{re.escape(first_old)}\b", first_new, reply)


def similar_tickets(ticket: Ticket, text: str, *, limit: int = 3) -> list[Similar]:
    """The most similar solved tickets, each with its final public reply, addressed to
    this ticket's customer."""
    found = _index(ticket.workspace_id)
    if found is None:
        return []
    ids, vectors = found
    scores = vectors @ _encode([text])[0]
    best = [
        (int(ids[i]), float(scores[i]))
        for i in np.argsort(-scores)[: limit + 1]
        if scores[i] >= MIN_SIMILARITY and int(ids[i]) != ticket.pk
    ][:limit]
    if not best:
        return []
    tickets = Ticket.objects.select_related("requester").in_bulk([t for t, _ in best])
    replies = {}
    for ticket_id, body in (
        Message.objects.filter(
            ticket_id__in=tickets,
            author_type=Message.Author.AGENT,
            visibility=Message.Visibility.PUBLIC,
        )
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "body_text")
    ):
        replies[ticket_id] = body  # the last one wins
    requester = ticket.requester
    return [
        Similar(
            tickets[t],
            round(100 * score),
            _readdress(replies.get(t, ""), tickets[t].requester, requester),
        )
        for t, score in best
        if t in tickets
    ]
