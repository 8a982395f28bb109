"""Full-text matching on SQLite (FTS5) and PostgreSQL (tsvector + GIN), one interface.

Every function takes `tickets`, the queryset of tickets the searcher may see after the
query's filters, and returns ticket ids in the shape the caller needs. The full-text
index is always the outer loop: it yields the matching ids and each is checked
against `tickets` by primary key, which keeps a search over 100,000 tickets in
milliseconds whatever the filters are.

Relevance (bm25 / ts_rank) is computed for the RANK_WINDOW newest matches only: for a
word found in 30,000 tickets, scoring all of them costs ~100 ms and changes nothing an
agent would see on the first pages. Older matches follow, newest first. Counts are exact.
"""

# The SQL here is assembled from constants and Django-compiled querysets; every user value
# travels as a parameter.
# ruff: noqa: S608, S611

import html
import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from frontline.tickets.models import Ticket
from frontline.tickets.search.query import Query, Term

RANK_WINDOW = 2000
MARK_START, MARK_END = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _pg() -> bool:
    return connection.vendor == "postgresql"


# ---- match expressions -----------------------------------------------------------------


def _fts5(term: Term) -> str:
    # Quoting every term makes user input inert: FTS5 operators (AND, NEAR, ^, :) are
    # only operators outside double quotes, and _WORDS already removed the quotes.
    return f'"{term.text}"' + ("*" if term.prefix else "")


def _tsquery(term: Term) -> str:
    words = [f"'{w}'" for w in term.text.split()]
    if term.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def match_expression(query: Query, *, negative_only: bool = False) -> str:
    """The engine's expression for the query's words (for negative_only: any excluded word)."""
    if _pg():
        if negative_only:
            return " | ".join(_tsquery(t) for t in query.negative_terms)
        expr = " & ".join(_tsquery(t) for t in query.positive_terms)
        for t in query.negative_terms:
            expr += " & !" + _tsquery(t)
        return expr
    if negative_only:
        return " OR ".join(_fts5(t) for t in query.negative_terms)
    expr = " AND ".join(_fts5(t) for t in query.positive_terms)
    for t in query.negative_terms:
        expr += " NOT " + _fts5(t)
    return expr


def matching_ids(expression: str) -> RawSQL:
    """A subquery of all ticket ids whose text matches (for `pk__in=`)."""
    if _pg():
        return RawSQL(
            "SELECT ticket_id FROM tickets_searchdocument "
            "WHERE search_vector @@ to_tsquery('simple', %s)",
            (expression,),
        )
    return RawSQL(
        "SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH %s", (expression,)
    )


# ---- counting and ranking --------------------------------------------------------------


def index_only(workspace_id: int | None) -> bool:
    """Whether matches can be taken from the index without checking each ticket: the
    searcher sees the whole workspace (workspace_id given) and, on SQLite, whose FTS table
    has no workspace column, no other workspace has documents."""
    if workspace_id is None:
        return False
    if _pg():
        return True
    # Two index range probes on workspace_id (a "!=" would scan every document).
    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM tickets_searchdocument WHERE workspace_id < %s) "
            "OR EXISTS (SELECT 1 FROM tickets_searchdocument WHERE workspace_id > %s)",
            [workspace_id, workspace_id],
        )
        return not cur.fetchone()[0]


def _joined(
    tickets: QuerySet[Ticket], expression: str, select: str, workspace_id: int | None = None
) -> tuple[str, list]:
    """SELECT <select> over index matches joined to `tickets`, index first; from the index
    alone when `workspace_id` names a workspace the searcher sees whole (see index_only)."""
    if workspace_id is not None:
        if _pg():
            return (
                f"SELECT {select} FROM {_index_table()} WHERE {_match_sql()} "
                "AND f.workspace_id = %s",
                [expression, workspace_id],
            )
        return f"SELECT {select} FROM {_index_table()} WHERE {_match_sql()}", [expression]
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    if tickets.query.distinct or tickets.query.combinator:
        # A join that may repeat rows (team membership): check each match with EXISTS.
        inner, inner_params = (
            tickets.filter(pk=RawSQL(_id_column(), ())).values("pk").query.sql_with_params()
        )
        return (
            f"SELECT {select} FROM {_index_table()} WHERE {_match_sql()} AND EXISTS ({inner})",
            [expression, *inner_params],
        )
    _, tail = sql.split(" FROM ", 1)
    if " WHERE " not in tail:
        tail += " WHERE 1=1"
    # CROSS JOIN pins the join order on SQLite (index outer, tickets by primary key).
    return (
        f"SELECT {select} FROM {_index_table()} CROSS JOIN {tail} "
        f'AND {_match_sql()} AND "tickets_ticket"."id" = {_id_column()}',
        [*params, expression],
    )


def _index_table() -> str:
    return "tickets_searchdocument f" if _pg() else "tickets_search_fts f"


def _match_sql() -> str:
    if _pg():
        return "f.search_vector @@ to_tsquery('simple', %s)"
    return "tickets_search_fts MATCH %s"


def _id_column() -> str:
    return "f.ticket_id" if _pg() else "f.rowid"


def count(tickets: QuerySet[Ticket], expression: str, workspace_id: int | None = None) -> int:
    sql, params = _joined(tickets, expression, "count(*)", workspace_id)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def ranked_ids(
    tickets: QuerySet[Ticket],
    expression: str,
    workspace_id: int | None = None,
    *,
    limit: int,
    offset: int,
    total: int,
) -> list[int]:
    """One page of matching ids: best first among the RANK_WINDOW newest, then by recency.
    `workspace_id` as for _joined."""
    ids: list[int] = []
    if offset < RANK_WINDOW:
        score = (
            "ts_rank(f.search_vector, to_tsquery('simple', %s))"
            if _pg()
            else "bm25(tickets_search_fts, 10.0, 1.0)"
        )
        order = "score DESC" if _pg() else "score"
        sql, params = _joined(
            tickets, expression, f"{_id_column()} AS id, {score} AS score", workspace_id
        )
        if _pg():
            params = [expression, *params]
        sql = (
            f"SELECT id FROM ({sql} ORDER BY {_id_column()} DESC LIMIT {RANK_WINDOW}) ranked "
            f"ORDER BY {order}, id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [*params, min(limit, RANK_WINDOW - offset), offset])
            ids = [row[0] for row in cur.fetchall()]
    remaining = limit - len(ids)
    if remaining > 0 and total > RANK_WINDOW:
        sql, params = _joined(tickets, expression, f"{_id_column()}", workspace_id)
        sql += f" ORDER BY {_id_column()} DESC LIMIT %s OFFSET %s"
        with connection.cursor() as cur:
            cur.execute(sql, [*params, remaining, max(offset, RANK_WINDOW)])
            ids += [row[0] for row in cur.fetchall()]
    return ids


# ---- snippets --------------------------------------------------------------------------


def snippets(ids: list[int], expression: str) -> dict[int, str]:
    """Ticket id -> a short, HTML-escaped excerpt with the matches in <mark>."""
    if not ids:
        return {}
    marks = ",".join(["%s"] * len(ids))
    if _pg():
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = (
            "SELECT ticket_id, ts_headline('simple', subject || E'\\n' || body, "
            f"to_tsquery('simple', %s), %s) FROM tickets_searchdocument "
            f"WHERE ticket_id IN ({marks})"
        )
        params = [expression, options, *ids]
    else:
        sql = (
            "SELECT rowid, snippet(tickets_search_fts, -1, char(2), char(3), '…', 24) "
            f"FROM tickets_search_fts WHERE tickets_search_fts MATCH %s AND rowid IN ({marks})"
        )
        params = [expression, *ids]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {row[0]: highlight(row[1] or "") for row in cur.fetchall()}


def highlight(marked: str) -> str:
    """Escape customer text, then turn the engine's match markers into <mark> tags."""
    text = html.escape(
        _CONTROL.sub(" ", marked.replace(MARK_START, "\ufff0").replace(MARK_END, "\ufff1"))
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("\ufff0", "<mark>").replace("\ufff1", "</mark>")
