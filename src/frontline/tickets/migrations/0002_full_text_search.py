"""Full-text indexes over tickets_searchdocument, one per database engine.

SQLite: an FTS5 table with external content, kept in step by triggers.
PostgreSQL: a generated, weighted tsvector column with a GIN index.
Both tokenise words without stemming ('simple'/unicode61): predictable whole-word
matches in any language, with `word*` for prefixes.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE tickets_search_fts USING fts5(
        subject, body, content='tickets_searchdocument', content_rowid='ticket_id',
        tokenize='unicode61 remove_diacritics 2', prefix='3')""",
    """CREATE TRIGGER tickets_search_ai AFTER INSERT ON tickets_searchdocument BEGIN
        INSERT INTO tickets_search_fts(rowid, subject, body)
        VALUES (new.ticket_id, new.subject, new.body); END""",
    """CREATE TRIGGER tickets_search_ad AFTER DELETE ON tickets_searchdocument BEGIN
        INSERT INTO tickets_search_fts(tickets_search_fts, rowid, subject, body)
        VALUES ('delete', old.ticket_id, old.subject, old.body); END""",
    """CREATE TRIGGER tickets_search_au AFTER UPDATE ON tickets_searchdocument BEGIN
        INSERT INTO tickets_search_fts(tickets_search_fts, rowid, subject, body)
        VALUES ('delete', old.ticket_id, old.subject, old.body);
        INSERT INTO tickets_search_fts(rowid, subject, body)
        VALUES (new.ticket_id, new.subject, new.body); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tickets_search_ai",
    "DROP TRIGGER IF EXISTS tickets_search_ad",
    "DROP TRIGGER IF EXISTS tickets_search_au",
    "DROP TABLE IF EXISTS tickets_search_fts",
]
POSTGRES_UP = [
    """ALTER TABLE tickets_searchdocument ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', coalesce(subject, '')), 'A') ||
            setweight(to_tsvector('simple', coalesce(body, '')), 'B')
        ) STORED""",
    "CREATE INDEX tickets_search_gin ON tickets_searchdocument USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS tickets_search_gin",
    "ALTER TABLE tickets_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
