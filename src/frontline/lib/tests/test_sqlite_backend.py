"""The SQLite backend keeps a thread's connection for its next request."""

import threading

import pytest
from django.db import OperationalError, connections

from frontline.lib.sqlite import OPTIONS
from frontline.lib.sqlite.base import DatabaseWrapper, WriterQueue


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


# ---- writers take turns (WriterQueue) ----------------------------------------------------


def _begin(db) -> None:
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # as atomic


def _end(db, commit=True) -> None:
    db.commit() if commit else db.rollback()
    db.set_autocommit(True)


def _probe(tmp_path, timeout=0.1) -> bool:
    """Whether another writer could take its turn within `timeout` seconds."""
    queue = WriterQueue(str(tmp_path / "db.sqlite3"), timeout)
    try:
        queue.acquire()
        return True
    except OperationalError:
        return False
    finally:
        queue.close()


def test_writers_in_several_threads_each_land_every_row(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        setup = wrapper(tmp_path)
        with setup.cursor() as cur:
            cur.execute("CREATE TABLE t (n INTEGER)")
        setup.close()
        errors = []

        def write(start):
            db = wrapper(tmp_path)
            try:
                for i in range(25):
                    _begin(db)
                    with db.cursor() as cur:
                        cur.execute("SELECT count(*) FROM t")  # read, then write: one turn
                        cur.execute("INSERT INTO t (n) VALUES (%s)", [start + i])
                    _end(db)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.close()

        threads = [threading.Thread(target=write, args=(k * 100,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        check = wrapper(tmp_path)
        with check.cursor() as cur:
            cur.execute("SELECT count(*), count(DISTINCT n) FROM t")
            assert cur.fetchone() == (100, 100)
        check.close()


@pytest.mark.parametrize("how", ["commit", "rollback", "close"])
def test_a_writer_gives_its_turn_back_however_it_ends(tmp_path, django_db_blocker, how):
    with django_db_blocker.unblock():
        db = wrapper(tmp_path)
        _begin(db)
        assert not _probe(tmp_path)  # the others wait (and give up after their timeout)
        if how == "close":
            db.close()
        else:
            _end(db, commit=how == "commit")
        assert _probe(tmp_path)
        db.close()
