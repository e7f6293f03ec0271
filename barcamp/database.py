"""SQLite settings applied to every connection (WAL, busy timeout, foreign keys), and
write transactions that take the write lock up front."""

from sqlalchemy import event

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
# Execution option asking for BEGIN IMMEDIATE (set by the unit of work).
WRITE_LOCK = "barcamp_write_lock"


def configure_sqlite(engine):
    """Register the pragmas on an SQLite engine; other databases are left alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # A write that starts as a read could find, in WAL mode, that another writer
        # committed meanwhile: SQLite then refuses at once ("database is locked"),
        # busy timeout or not. Taking the write lock first makes it wait its turn.
        immediate = connection.get_execution_options().get(WRITE_LOCK)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
