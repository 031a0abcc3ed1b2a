"""The embedded task queue: huey on a SQLite file, with the durability the database has.

huey's SqliteStorage opens its file in WAL mode but leaves SQLite's default
`synchronous=FULL`, so every enqueue waits for an fsync of the WAL. Opening a ticket queues
its acknowledgement on commit (desk/notify.py), so that flush came on top of the
database's own commit for every ticket: about 0.1 ms of CPU and 0.2 ms of waiting per
ticket on this project's machine (bench/bench_api_tickets.py), taken in turn by the web
workers.

`synchronous=NORMAL` in WAL mode — what tierdesk's own SQLite database already runs
(settings.py) — syncs the WAL at checkpoints instead of at each commit. The file cannot be
corrupted by a crash or a power loss, and a crash of the process loses nothing; a power
loss (or an OS crash) may lose the tasks queued in the last moments before it. Ticket mail
lost that way is queued again by the ten-minute sweep (desk/notify.py
`entries_resend_unsent`: its entry is stored, with no `sent_at`). The database under the
same settings may lose the tickets of those same moments. README.md, Performance, says so
too.
"""

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    """huey's SQLite storage with `PRAGMA synchronous=NORMAL` (see the module docstring)."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        # As the database (settings.py): fewer, cheaper checkpoints of the queue's WAL.
        conn.execute("pragma wal_autocheckpoint=10000")
        return conn


class EmbeddedHuey(SqliteHuey):
    """The embedded queue settings.HUEY selects when REDIS_URL is not set."""

    storage_class = NormalSyncSqliteStorage
