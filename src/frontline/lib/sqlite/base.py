"""Django's SQLite backend, keeping each thread's connection open between requests.

Under the ASGI server Django gives every request a new connection context, so
CONN_MAX_AGE cannot keep a connection alive and each request paid for a new SQLite
connection (~2 ms). Worse, when the last connection to a WAL database closes, SQLite
checkpoints and truncates the WAL with an fsync: with one web process that happened after
almost every request and stalled writes for hundreds of milliseconds. Here a closed
connection is parked per thread and handed back to the next request on that thread
(Django's sync views run on one executor thread per process under ASGI).
"""

import threading

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _parked = threading.local()

    def _is_file_database(self) -> bool:
        return not self.is_in_memory_db()

    def get_new_connection(self, conn_params):
        parked = getattr(self._parked, "connections", {})
        conn = parked.pop(self.settings_dict["NAME"], None)
        if conn is not None:
            return conn
        return super().get_new_connection(conn_params)

    def _close(self):
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
