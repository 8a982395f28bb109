"""SQLite backend (see base.py) and the connection options Frontline always uses with it."""

# WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN
# so concurrent writers queue on busy_timeout instead of failing with "locked".
OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
    ),
}


def in_serialized_transaction(using: str = "default") -> bool:
    """True inside a transaction that holds SQLite's write lock from its first statement:
    no other writer can commit until it ends, so what it read cannot be changed by a
    concurrent request and a check-then-insert needs no savepoint to recover from a clash."""
    from django.db import connections

    connection = connections[using]
    immediate = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
    return connection.vendor == "sqlite" and immediate == "IMMEDIATE" and connection.in_atomic_block
