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
