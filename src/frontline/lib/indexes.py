"""Index helpers for the models."""

from django.db import migrations, models


def set_only_index(field: str, name: str) -> models.Index:
    """An index over the rows where a nullable foreign key is set, in place of Django's
    default index over every row. Most tickets, messages and events leave such a key
    empty, and an index entry for each of them is one more page written by every insert.
    Look-ups by value, Django's cascades included (`= x`, `IN (...)`), still use it on
    SQLite and PostgreSQL, which both know that a comparison implies IS NOT NULL."""
    return models.Index(
        fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=name
    )


def drop_plain_indexes(app_label: str, fields: list[tuple[str, str]]) -> migrations.RunPython:
    """A migration step that drops Django's own single-column index on each (model, field),
    found by introspection, without rebuilding the table: on SQLite an AlterField to
    db_index=False copies the whole table (every event, for instance) once per field.
    Pair it with the AlterFields as state operations in SeparateDatabaseAndState."""

    def columns(apps):
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            yield model._meta.db_table, model._meta.get_field(field_name).column

    def drop(apps, schema_editor):
        connection, quote = schema_editor.connection, schema_editor.quote_name
        for table, column in columns(apps):
            with connection.cursor() as cursor:
                found = connection.introspection.get_constraints(cursor, table)
            for name, info in found.items():
                if info["index"] and not info["unique"] and info["columns"] == [column]:
                    schema_editor.execute(f"DROP INDEX {quote(name)}")

    def restore(apps, schema_editor):
        quote = schema_editor.quote_name
        for table, column in columns(apps):
            schema_editor.execute(
                f"CREATE INDEX {quote(f'{table}_{column}_fk')} ON {quote(table)} ({quote(column)})"
            )

    return migrations.RunPython(drop, restore)
