"""SQLite: a changed search document waits in tickets_search_queue and enters the FTS5
index with the next batch (tickets.search.indexing), not inside the write that changed it.

The old text of a document that is already indexed still leaves the index at once: FTS5
needs the exact indexed text to remove it, and that text is gone after the write. A
queued document is not in the index yet, so changing or deleting it touches only the
queue. PostgreSQL keeps its generated tsvector column and GIN index: nothing changes there.
"""

import importlib

from django.db import migrations

# ruff: noqa: S608  (SQL built from constants only)

_0002 = importlib.import_module("frontline.tickets.migrations.0002_full_text_search")

_DELETE_INDEXED = """INSERT INTO tickets_search_fts(tickets_search_fts, rowid, subject, body)
        SELECT 'delete', old.ticket_id, old.subject, old.body
        WHERE NOT EXISTS (SELECT 1 FROM tickets_search_queue q WHERE q.ticket_id = old.ticket_id);"""

SQLITE_UP = [
    "CREATE TABLE tickets_search_queue (ticket_id INTEGER NOT NULL PRIMARY KEY)",
    "DROP TRIGGER tickets_search_ai",
    "DROP TRIGGER tickets_search_au",
    "DROP TRIGGER tickets_search_ad",
    """CREATE TRIGGER tickets_search_ai AFTER INSERT ON tickets_searchdocument BEGIN
        INSERT OR IGNORE INTO tickets_search_queue(ticket_id) VALUES (new.ticket_id); END""",
    f"""CREATE TRIGGER tickets_search_au AFTER UPDATE ON tickets_searchdocument BEGIN
        {_DELETE_INDEXED}
        INSERT OR IGNORE INTO tickets_search_queue(ticket_id) VALUES (new.ticket_id); END""",
    f"""CREATE TRIGGER tickets_search_ad AFTER DELETE ON tickets_searchdocument BEGIN
        {_DELETE_INDEXED}
        DELETE FROM tickets_search_queue WHERE ticket_id = old.ticket_id; END""",
]
SQLITE_DOWN = [
    """INSERT INTO tickets_search_fts(rowid, subject, body)
        SELECT d.ticket_id, d.subject, d.body FROM tickets_search_queue q
        CROSS JOIN tickets_searchdocument d ON d.ticket_id = q.ticket_id""",
    "DROP TRIGGER tickets_search_ai",
    "DROP TRIGGER tickets_search_au",
    "DROP TRIGGER tickets_search_ad",
    *[sql for sql in _0002.SQLITE_UP if sql.startswith("CREATE TRIGGER")],
    "DROP TABLE tickets_search_queue",
]


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_fewer_written_indexes")]

    operations = [
        migrations.RunPython(_0002._run({"sqlite": SQLITE_UP}), _0002._run({"sqlite": SQLITE_DOWN}))
    ]
