"""Statements sent to PostgreSQL now and their results read later, so that a page goes on
with its own work (drawing its HTML) while the server runs and commits them.

The calendar week's audit row (one INSERT, committed and flushed to disk) kept the page
waiting for the database for about a millisecond, doing nothing (issue 15). Inside
`window()`, `cursor()` gives a Django cursor whose statement is sent and not waited for;
the window's end reads every result and raises what PostgreSQL refused, so the block is
never left with a statement unconfirmed: a view that draws its page inside a window
returns only once its audit row is committed.

- Sent through Django's cursor wrapper: the statement is counted, logged and seen by
  execute wrappers like any other (the page makes as many queries as before).
- Any other statement on the connection inside the window reads the pending results
  first (an execute wrapper), so nothing meets a connection busy with a statement.
- A statement is sent behind only at the window's own transaction depth (a transaction
  begun inside the window ends with a COMMIT the driver sends itself, which would meet the
  connection busy): there it runs as always. Beginning a transaction after something was
  sent behind is refused by the driver (ProgrammingError, "can't change autocommit now"),
  so windows hold only what draws a page.
- Not on PostgreSQL, or outside a window, `cursor()` is an ordinary cursor.

Only psycopg's documented libpq layer (`psycopg.pq`) is used to send and read.
"""

import contextvars
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import psycopg
from django.db import connection
from psycopg import errors, pq

from . import server_prepared

# The open window's statements sent and not yet read, each as what to call with the last
# rows it returned (or None). None: no window is open.
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("overlapped", default=None)
# How many transactions and savepoints were open when the window opened.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("overlapped_depth", default=0)


def is_open() -> bool:
    """Whether a statement may be sent and not waited for here: in a window, on PostgreSQL,
    and in no transaction begun inside the window (its COMMIT, sent by the driver itself,
    would meet the connection busy)."""
    pending = _pending.get()
    return (
        pending is not None
        and connection.vendor == "postgresql"
        and len(connection.atomic_blocks) == _depth.get()
    )


@contextmanager
def window() -> Iterator[None]:
    """Statements sent by `cursor()` inside are read, at the latest, when the block ends."""
    if _pending.get() is not None:  # already inside one: the outer one reads them
        yield
        return
    pending: list = []
    token, depth = _pending.set(pending), _depth.set(len(connection.atomic_blocks))
    try:
        with connection.execute_wrapper(_read_first):
            try:
                yield
            finally:
                read()
    finally:
        _pending.reset(token)
        _depth.reset(depth)


def _read_first(execute, sql, params, many, context):
    read()
    return execute(sql, params, many, context)


class _Sender:
    """Stands in for the driver's cursor under Django's wrapper: `execute` sends the
    statement (bound on the client, as Django's cursor binds it) and returns at once."""

    def __init__(self, raw, pending: list, then: Callable | None):
        self.raw, self.pending, self.then = raw, pending, then
        self._query = None  # what Django's query log reads as the statement sent

    def execute(self, sql, params=None):
        read()  # one statement at a time on the connection
        text = psycopg.ClientCursor(self.raw).mogrify(sql, params)
        query = text.encode(self.raw.info.encoding)
        self._query = SimpleNamespace(query=query)
        pgconn = self.raw.pgconn
        pgconn.send_query(query)  # the driver raises OperationalError when it cannot
        while pgconn.flush():  # 1 while some is still to be written
            select.select([], [pgconn.socket], [])
        self.pending.append(self.then)

    def nextset(self):  # server_prepared moves past its PREPAREs' results: read later
        return None

    def close(self):
        pass


@contextmanager
def cursor(then: Callable[[list], None] | None = None):
    """A cursor for one statement: where `is_open()`, sent and not waited for (`then(rows)`
    is called with the last rows it returned when they are read); else an ordinary
    cursor, and `then` is not called."""
    pending = _pending.get()
    if not is_open():
        with connection.cursor() as ordinary:
            yield ordinary
        return
    connection.ensure_connection()
    wrapped = connection._prepare_cursor(_Sender(connection.connection, pending, then))
    yield wrapped


def read() -> None:
    """Read the results of every statement sent in the open window (no window, or none
    sent: nothing to do); raise the first error PostgreSQL gave."""
    pending = _pending.get()
    if not pending:
        return
    failure = None
    with connection.wrap_database_errors:
        pgconn = connection.connection.pgconn
        while pending:
            then = pending.pop(0)
            rows = None
            for result in _results(pgconn):
                if result.status == pq.ExecStatus.FATAL_ERROR:
                    failure = failure or result
                elif result.ntuples:
                    rows = [
                        [result.get_value(r, c) for c in range(result.nfields)]
                        for r in range(result.ntuples)
                    ]
            if then is not None and rows is not None and failure is None:
                then(rows)
        if failure is not None:
            # Which of the statements' PREPAREs took is read back before the next string.
            server_prepared.forget(connection)
            encoding = connection.connection.info.encoding
            state = (failure.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
            try:
                kind = errors.lookup(state)  # the driver's class for the SQLSTATE
            except KeyError:
                kind = errors.DatabaseError
            raise kind(failure.error_message.decode(encoding, errors="replace"))


def _results(pgconn) -> list:
    """Every result of the statement string sent last (libpq's get_result until None)."""
    out = []
    while True:
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            return out
        out.append(result)
