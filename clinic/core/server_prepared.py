"""Statements planned once a connection: PostgreSQL's PREPARE and EXECUTE.

Django's psycopg backend binds parameters on the client (one string a statement), so
PostgreSQL parses and plans every statement it is sent, every time. For the small,
fixed-shape statements of the busiest pages (clinic.core.prepared) planning was most of
their time on the server: the review page's eleven statements took 1.9 ms, 0.8 ms once
each was prepared (issue 15). Here each statement is prepared the first time a connection
runs it (`PREPARE name (types) AS ...`, one round trip) and from then on run as `EXECUTE
name (values)`, in the same single string client-side binding sends, so `run_together`
still sends several at once.

- A statement's name comes from its SQL and its parameters' types, so a value of another
  type is its own prepared statement, typed as it is run.
- A statement not yet prepared on the connection is prepared in the string that runs it
  (so a page makes as many round trips, and tests count as many queries, as before).
  PREPARE outlasts a rollback, so what a connection prepared is known from what it sent;
  after a string that prepared something failed, PostgreSQL is asked what it holds.
- A parameter of a type not listed here (or None) leaves the statement as it was written.
- Off with DATABASE_PREPARED_STATEMENTS=false (a pooler in transaction mode, PgBouncer's,
  hands each transaction a different server connection, which knows nothing prepared).

PostgreSQL replans a prepared statement when a table it reads changes; only a change of the
statement's result columns' types makes it refuse one, which a deploy's restart clears.
"""

import datetime as dt
import hashlib
import re
import uuid
import weakref
from decimal import Decimal

from django.conf import settings

# Each parameter's type as PostgreSQL is told it, by the Python type of the value Django
# passes. None has no type of its own, and PostgreSQL cannot always infer one ("%s IS
# NULL"): a statement given a None runs as written.
_TYPES = {
    bool: "boolean",
    int: "bigint",
    float: "double precision",
    str: "text",
    Decimal: "numeric",
    dt.date: "date",
    dt.time: "time",
    dt.timedelta: "interval",
    uuid.UUID: "uuid",
}
_PLACEHOLDER = re.compile(r"%[%s]")


class _Prepared:
    """What one connection has prepared: the names, and whether a string that prepared
    some failed (then PostgreSQL is asked which it holds before the next)."""

    __slots__ = ("names", "unsure")

    def __init__(self):
        self.names: set[str] = set()
        self.unsure = False


# By the driver's connection: a closed one is forgotten with it.
_prepared: "weakref.WeakKeyDictionary[object, _Prepared]" = weakref.WeakKeyDictionary()
# Each name's statement as prepared (`$1` for its first value), for `written`.
_statements: dict[str, str] = {}


# Statements whose parameters' types their callers declared (`declare`), by their SQL.
_declared: dict[str, list[str]] = {}


def declare(sql: str, types: list[str]) -> None:
    """Prepare `sql` with these parameter types (the columns' own, say), whatever values
    it is run with: an INSERT's None goes into its column as NULL, prepared all the same."""
    _declared[sql] = list(types)


def written(name: str) -> str | None:
    """The SQL a prepared statement's name stands for (as PREPARE was sent it), or None:
    what an EXECUTE in a log or pg_stat_activity runs."""
    return _statements.get(name)


def _type(value) -> str | None:
    kind = value.__class__
    found = _TYPES.get(kind)
    if found is not None:
        return found
    if kind is dt.datetime:
        return "timestamp with time zone" if value.tzinfo is not None else "timestamp"
    if isinstance(value, str):  # a choice (TextChoices) is a str
        return "text"
    if isinstance(value, int) and not isinstance(value, bool):  # IntegerChoices
        return "bigint"
    if getattr(kind, "__name__", "") == "Jsonb":  # psycopg's wrapper for a JSONField value
        return "jsonb"
    return None


def _numbered(sql: str) -> str:
    """The SQL with `%s` as $1, $2, ... (`%%` stays: the string goes with parameters, and
    client-side binding makes it `%`)."""
    n = 0

    def number(match):
        nonlocal n
        if match.group() == "%%":
            return "%%"
        n += 1
        return f"${n}"

    return _PLACEHOLDER.sub(number, sql)


def enabled(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


def execute(cursor, connection, statements: list[tuple[str, list]]) -> None:
    """Run the statements in one round trip, the cursor left at the first one's rows
    (`nextset()` moves to the next's): each as an EXECUTE of what this connection prepared,
    what it had not prepared yet prepared first in the same string, and a statement with a
    value of a type not known here as it was written. Not on PostgreSQL (or turned off):
    as written, which on SQLite takes one statement only."""
    prepares, state = [], None
    if enabled(connection):
        statements, prepares, state = _on_server(connection, statements)
    try:
        cursor.execute(
            ";\n".join([*prepares, *(sql for sql, _ in statements)]),
            [value for _, params in statements for value in params],
        )
    except Exception:
        if prepares:  # which of them PostgreSQL made is read before the next string
            state.unsure = True
        raise
    for _ in prepares:  # their results say PREPARE and hold no rows
        cursor.nextset()


def forget(connection) -> None:
    """A string sent to this connection failed where `execute` could not see it (sent by
    clinic.core.overlapped): which statements it holds is read back before the next."""
    state = _prepared.get(connection.connection) if connection.connection else None
    if state is not None:
        state.unsure = True


def _on_server(connection, statements):
    connection.ensure_connection()
    state = _prepared.get(connection.connection)
    if state is None:
        state = _prepared[connection.connection] = _Prepared()
    if state.unsure:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            state.names = {name for (name,) in cursor.fetchall()}
        state.unsure = False
    done = state.names
    out, prepares, names = [], [], []
    for sql, params in statements:
        types = _declared.get(sql) or [_type(value) for value in params]
        if None in types:
            out.append((sql, params))
            continue
        signature = "\x00".join([sql, *types])
        name = "c_" + hashlib.blake2b(signature.encode(), digest_size=12).hexdigest()
        if name not in done and name not in names:
            typed = f" ({', '.join(types)})" if params else ""
            numbered = _statements[name] = _numbered(sql)
            prepares.append(f"PREPARE {name}{typed} AS {numbered}")
            names.append(name)
        values = f" ({', '.join(['%s'] * len(params))})" if params else ""
        out.append((f"EXECUTE {name}{values}", params))
    # Counted as made once sent; should the string fail, `unsure` has them read back
    # (PREPARE outlasts a rollback, so what it made stays made).
    done.update(names)
    return out, prepares, state
