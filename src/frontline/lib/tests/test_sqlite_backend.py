"""The SQLite backend keeps a thread's connection for its next request."""

import threading

from django.db import connections

from frontline.lib.sqlite import OPTIONS
from frontline.lib.sqlite.base import DatabaseWrapper


def wrapper(tmp_path) -> DatabaseWrapper:
    # Built from the default alias so the test also runs when that alias is PostgreSQL.
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "frontline.lib.sqlite",
        "NAME": str(tmp_path / "db.sqlite3"),
        "OPTIONS": dict(OPTIONS),
    }
    return DatabaseWrapper(settings, alias="parking-test")


def test_a_closed_connection_is_reused_by_the_next_request(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        db = wrapper(tmp_path)
        db.ensure_connection()
        first = db.connection
        db.close()
        assert db.connection is None
        db.ensure_connection()
        assert db.connection is first  # no new connection, no WAL checkpoint on close
        with db.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"  # the connection state was set up again

        # Another thread gets a connection of its own.
        seen = []

        def other():
            other_db = wrapper(tmp_path)
            other_db.ensure_connection()
            seen.append(other_db.connection)
            other_db.close()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert seen[0] is not first
        db.close()


def test_a_connection_inside_a_transaction_is_really_closed(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        db = wrapper(tmp_path)
        db.ensure_connection()
        first = db.connection
        first.execute("BEGIN")
        db.close()
        db.ensure_connection()
        assert db.connection is not first
        assert not db.connection.in_transaction
        db.close()
