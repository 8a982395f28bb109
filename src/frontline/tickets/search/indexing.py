"""SQLite's full-text index is written in batches, outside the writes that change tickets.

A new ticket's text used to enter the FTS5 index inside the create's transaction:
tokenising it, writing a new index segment at COMMIT and, every few commits, merging
segments, all while holding SQLite's single write lock, which every other writer waits
for. Now triggers (migration 0006) put the id of a changed search document in
tickets_search_queue, and `index_queued` indexes the whole queue in one transaction:
after each process has written BATCH documents, and before every full-text search, so a
search always sees every committed ticket. A queue left behind by a crash is indexed by
the next search or batch. PostgreSQL keeps its GIN index up to date itself: every
function here does nothing there.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

log = logging.getLogger(__name__)

BATCH = 16  # documents a process writes before it indexes the queue
CHUNK = 500  # documents indexed per transaction (each holds the write lock)

_written = 0  # documents this process queued since it last indexed (a race only delays)


def queued(using: str = DEFAULT_DB_ALIAS) -> None:
    """A search document was written: register after each write (on commit)."""
    if connections[using].vendor != "sqlite":
        return
    # robust: the write itself has committed; an index batch that fails (the database
    # stayed locked) is logged and left in the queue for the next batch or search.
    transaction.on_commit(_count_one, using=using, robust=True)


def _count_one() -> None:
    global _written
    _written += 1
    if _written >= BATCH:
        _written = 0
        index_queued()


def index_queued(using: str = DEFAULT_DB_ALIAS) -> int:
    """Index every queued document; how many were indexed."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    done = 0
    while _has_queue(connection):  # read without the write lock: a search rarely needs it
        with transaction.atomic(using=using), connection.cursor() as cur:
            cur.execute(
                "SELECT max(ticket_id) FROM (SELECT ticket_id FROM tickets_search_queue "
                "ORDER BY ticket_id LIMIT %s)",
                [CHUNK],
            )
            (upto,) = cur.fetchone()
            if upto is None:  # another process indexed it meanwhile
                break
            cur.execute(
                "INSERT INTO tickets_search_fts(rowid, subject, body) "
                # CROSS JOIN keeps the short queue as the outer loop (not a range scan of
                # every document below `upto`).
                "SELECT d.ticket_id, d.subject, d.body FROM tickets_search_queue q "
                "CROSS JOIN tickets_searchdocument d ON d.ticket_id = q.ticket_id "
                "WHERE q.ticket_id <= %s",
                [upto],
            )
            done += cur.rowcount
            cur.execute("DELETE FROM tickets_search_queue WHERE ticket_id <= %s", [upto])
    return done


def index_before_search(using: str = DEFAULT_DB_ALIAS) -> None:
    """Before a full-text search: index what is queued, so the search sees every ticket.
    If the database stays locked, search what is indexed rather than fail."""
    try:
        index_queued(using)
    except OperationalError:
        log.warning("search: queued documents not indexed (database busy)", exc_info=True)


def _has_queue(connection) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM tickets_search_queue)")
        return bool(cur.fetchone()[0])
