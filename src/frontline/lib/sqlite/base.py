"""Django's SQLite backend, keeping each thread's connection open between requests.

Under the ASGI server Django gives every request a new connection context, so
CONN_MAX_AGE cannot keep a connection alive and each request paid for a new SQLite
connection (~2 ms). Worse, when the last connection to a WAL database closes, SQLite
checkpoints and truncates the WAL with an fsync: with one web process that happened after
almost every request and stalled writes for hundreds of milliseconds. Here a closed
connection is parked per thread and handed back to the next request on that thread
(Django's sync views run on one executor thread per process under ASGI).
"""

import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base


class WriterQueue:
    """Processes take turns at SQLite's single write lock through a file lock beside the
    database, taken before BEGIN IMMEDIATE and given back at COMMIT or ROLLBACK.

    Without it a writer that finds the database locked sleeps in SQLite's busy handler
    (1, 2, 5, 10 ms ... between tries) while the holder needs only a few milliseconds: with
    two web processes the write lock sat idle for much of that sleep. Here a waiter tries
    again every quarter of a millisecond, so it starts as soon as the holder commits. Give
    up, as SQLite would, after the connection's timeout.
    """

    def __init__(self, database: str, timeout: float):
        self.path = f"{database}-writers.lock"
        self.timeout = timeout
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked (other writers)") from None
                time.sleep(0.00025)

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class DatabaseWrapper(base.DatabaseWrapper):
    _parked = threading.local()

    def _is_file_database(self) -> bool:
        return not self.is_in_memory_db()

    def _writers(self) -> WriterQueue | None:
        if not self._is_file_database():
            return None
        queue = getattr(self, "_writer_queue", None)
        if queue is None:
            timeout = self.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            queue = self._writer_queue = WriterQueue(str(self.settings_dict["NAME"]), timeout)
        return queue

    def _start_transaction_under_autocommit(self):
        writers = self._writers()
        if writers is not None:
            writers.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            if writers is not None:
                writers.release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writers()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writers()

    def _release_writers(self) -> None:
        queue = getattr(self, "_writer_queue", None)
        if queue is not None:
            queue.release()

    def get_new_connection(self, conn_params):
        parked = getattr(self._parked, "connections", {})
        conn = parked.pop(self.settings_dict["NAME"], None)
        if conn is not None:
            return conn
        return super().get_new_connection(conn_params)

    def _close(self):
        self._release_writers()  # a connection closed mid-transaction gives its turn back
        conn = self.connection
        if conn is None or not self._is_file_database():
            return super()._close()
        parked = getattr(self._parked, "connections", None)
        if parked is None:
            parked = self._parked.connections = {}
        name = self.settings_dict["NAME"]
        if name in parked or conn.in_transaction:
            # One parked connection per thread is enough; never park one mid-transaction.
            return super()._close()
        parked[name] = conn
        return None
