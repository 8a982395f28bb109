"""Full-text indexes over knowledge_article (title, body), one per database engine, as for
tickets (tickets/migrations/0002): SQLite an FTS5 table with external content kept in
step by triggers; PostgreSQL a generated, weighted tsvector column with a GIN index."""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE knowledge_article_fts USING fts5(
        title, body, content='knowledge_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3')""",
    """CREATE TRIGGER knowledge_article_ai AFTER INSERT ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER knowledge_article_ad AFTER DELETE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER knowledge_article_au AFTER UPDATE OF title, body ON knowledge_article
        BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO knowledge_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body); END""",
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS knowledge_article_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_au",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]
POSTGRES_UP = [
    """ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
            setweight(to_tsvector('simple', coalesce(body, '')), 'B')
        ) STORED""",
    "CREATE INDEX knowledge_article_gin ON knowledge_article USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS knowledge_article_gin",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0006_article_tags_articlefile")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
