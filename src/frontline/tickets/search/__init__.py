"""Finding tickets: one function for the inbox, saved views, the search box and the API.

    find_tickets(user, workspace, "refund status:open assignee:me", limit=25)

Results are the tickets the user may see (tickets.access), filtered by the query,
ranked by relevance when it has words (else by the chosen order), with a highlighted
snippet per hit and the exact total. Pages are addressed by an opaque cursor:
keyset (order value + id) for field orders, so new tickets never shift a page; an
offset for relevance, which has no stable key.
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf

from frontline.accounts.models import User, Workspace
from frontline.tickets.access import sees_all_tickets, visible_tickets
from frontline.tickets.models import PRIORITY_RANK, Status, Ticket
from frontline.tickets.search import fulltext, indexing
from frontline.tickets.search.query import Query, QueryError, apply_filters, parse_query

__all__ = [
    "ORDERS",
    "Hit",
    "Page",
    "Query",
    "QueryError",
    "count_tickets",
    "find_tickets",
    "parse_query",
]

# order name -> (model field, descending)
ORDERS = {
    "-updated_at": ("updated_at", True),
    "updated_at": ("updated_at", False),
    "-created_at": ("created_at", True),
    "created_at": ("created_at", False),
    "-priority": ("priority_rank", True),
    "priority": ("priority_rank", False),
    "-number": ("number", True),
    "number": ("number", False),
    "subject": ("subject_sort", False),
    "-subject": ("subject_sort", True),
    "status": ("status_rank", False),
    "-status": ("status_rank", True),
    "requester": ("requester_sort", False),
    "-requester": ("requester_sort", True),
    "assignee": ("assignee_sort", False),
    "-assignee": ("assignee_sort", True),
    "team": ("team_sort", False),
    "-team": ("team_sort", True),
}
# Sort keys computed per row: ranks for the choice fields, lower-case names ("" for none,
# never NULL, so the keyset pages compare them safely).
STATUS_RANK = {s: i for i, s in enumerate(Status.values)}
_SORT_KEYS = {
    "subject_sort": lambda: Lower("subject"),
    "status_rank": lambda: Case(
        *[When(status=s, then=Value(r)) for s, r in STATUS_RANK.items()],
        output_field=IntegerField(),
    ),
    "requester_sort": lambda: Lower(Coalesce(NullIf("requester__name", Value("")),
                                             "requester__email", Value(""))),
    "assignee_sort": lambda: Lower(Coalesce("assignee__name", Value(""))),
    "team_sort": lambda: Lower(Coalesce("team__name", Value(""))),
}  # fmt: skip
RELEVANCE = "relevance"
MAX_LIMIT = 100
BAD_CURSOR = "This cursor is not valid for this query; start again without it"


@dataclass
class Hit:
    ticket: Ticket
    snippet: str | None = None


@dataclass
class Page:
    total: int
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None
    order: str = "-updated_at"

    @property
    def tickets(self) -> list[Ticket]:
        return [h.ticket for h in self.hits]


def find_tickets(
    user: User,
    workspace: Workspace,
    text: str = "",
    *,
    order: str | None = None,
    limit: int = 25,
    cursor: str | None = None,
    base: QuerySet[Ticket] | None = None,
) -> Page:
    """One page of the tickets matching `text`. QueryError (a message for the user) on a
    bad query, order or cursor."""
    query = parse_query(text)
    if query.terms:
        indexing.index_before_search()
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    order = order or (RELEVANCE if query.positive_terms else "-updated_at")
    if order != RELEVANCE and order not in ORDERS:
        raise QueryError(f"Unknown order '{order}'; use relevance or one of {', '.join(ORDERS)}")
    if order == RELEVANCE and not query.positive_terms:
        order = "-updated_at"
    tickets = _filtered(user, workspace, query, base)
    if tickets.query.is_empty():
        return Page(total=0, order=order)
    if order == RELEVANCE:
        scope = _index_scope(user, workspace, query, base)
        return _relevance_page(tickets, query, limit, _decode(cursor, "offset"), scope)
    return _keyset_page(_matching(tickets, query), query, order, limit, _decode(cursor, "after"))


def count_tickets(
    user: User, workspace: Workspace, text: str = "", *, base: QuerySet[Ticket] | None = None
) -> int:
    """How many tickets find_tickets would report, without loading any (inbox counts)."""
    query = parse_query(text)
    if query.terms:
        indexing.index_before_search()
    tickets = _filtered(user, workspace, query, base)
    if tickets.query.is_empty():
        return 0
    if query.positive_terms:  # counted as the relevance page counts
        scope = _index_scope(user, workspace, query, base)
        return fulltext.count(tickets, fulltext.match_expression(query), scope)
    return _matching(tickets, query).count()


def _filtered(user, workspace, query: Query, base: QuerySet[Ticket] | None) -> QuerySet[Ticket]:
    """The tickets the user may see (or `base`), narrowed by the query's filters."""
    tickets = base if base is not None else visible_tickets(user, workspace)
    return apply_filters(tickets, query, user=user, workspace=workspace)


def _index_scope(user, workspace, query: Query, base) -> int | None:
    """The workspace id when the full-text index alone can count and rank the matches:
    words only, a searcher who sees the whole workspace (no look-up of each match)."""
    whole = base is None and not query.filters and not query.numbers
    scope = workspace.pk if whole and sees_all_tickets(user, workspace) else None
    return scope if fulltext.index_only(scope) else None


def _matching(tickets: QuerySet[Ticket], query: Query) -> QuerySet[Ticket]:
    """`tickets` narrowed to those whose text matches the query's words (if any)."""
    if not query.terms:
        return tickets
    expression = fulltext.match_expression(query, negative_only=not query.positive_terms)
    subquery = fulltext.matching_ids(expression)
    if query.positive_terms:
        return tickets.filter(pk__in=subquery)
    return tickets.exclude(pk__in=subquery)


def _relevance_page(
    tickets: QuerySet[Ticket], query: Query, limit: int, offset, workspace_id: int | None
) -> Page:
    offset = int(offset or 0)
    expression = fulltext.match_expression(query)
    total = fulltext.count(tickets, expression, workspace_id)
    ids = fulltext.ranked_ids(
        tickets, expression, workspace_id, limit=limit, offset=offset, total=total
    )
    found = _load(ids)
    snippets = fulltext.snippets(ids, expression)
    hits = [Hit(found[i], snippets.get(i)) for i in ids if i in found]
    more = offset + len(ids) < total
    return Page(
        total=total,
        hits=hits,
        next_cursor=_encode({"offset": offset + len(ids)}) if more and ids else None,
        order=RELEVANCE,
    )


def _with_priority_rank(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    whens = [When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()]
    return qs.annotate(priority_rank=Case(*whens, output_field=IntegerField()))


def _keyset_page(tickets: QuerySet[Ticket], query: Query, order: str, limit: int, after) -> Page:
    column, descending = ORDERS[order]
    total = tickets.count()
    if column == "priority_rank":
        tickets = _with_priority_rank(tickets)
    elif column in _SORT_KEYS:
        tickets = tickets.annotate(**{column: _SORT_KEYS[column]()})
    if after is not None:
        value, last_id = _keyset_values(column, after)
        op = "lt" if descending else "gt"
        tickets = tickets.filter(
            Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"pk__{op}": last_id})
        )
    sign = "-" if descending else ""
    rows = list(
        tickets.order_by(f"{sign}{column}", f"{sign}pk").values_list("pk", column)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [pk for pk, _ in rows]
    found = _load(ids)
    hits = [Hit(found[i]) for i in ids if i in found]
    next_cursor = None
    if more and rows:
        pk, value = rows[-1]
        next_cursor = _encode(
            {"after": [value.isoformat() if isinstance(value, dt.datetime) else value, pk]}
        )
    return Page(total=total, hits=hits, next_cursor=next_cursor, order=order)


def _keyset_values(column: str, after: list) -> tuple:
    value, last_id = after
    try:
        if column.endswith("_at"):
            value = dt.datetime.fromisoformat(value)
        elif column.endswith("_sort"):
            if not isinstance(value, str):
                raise TypeError
        elif not isinstance(value, int):
            raise TypeError
        if not isinstance(last_id, int):
            raise TypeError
    except (TypeError, ValueError):
        raise QueryError(BAD_CURSOR) from None
    return value, last_id


def _load(ids: list[int]) -> dict[int, Ticket]:
    """The page's tickets with everything a list row shows, in a fixed number of queries."""
    if not ids:
        return {}
    qs = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("requester", "assignee", "team")
        .annotate(merged_into_number=F("merged_into__number"))
        .prefetch_related("tags")
    )
    return {t.pk: t for t in qs}


def _encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode(cursor: str | None, kind: str):
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        value = data[kind]
        if kind == "offset" and not (isinstance(value, int) and value >= 0):
            raise ValueError
        if kind == "after" and not (isinstance(value, list) and len(value) == 2):
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError):
        raise QueryError(
            "This cursor is not valid for this query; start again without it"
        ) from None
