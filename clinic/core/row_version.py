"""Writing a row only if it is still as it was read (PostgreSQL's row version, `xmin`).

A save that reads a row, works out what to write and writes it kept the row locked in
between: BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT, four round trips to the database.
Every version of a PostgreSQL row carries the id of the transaction that wrote it (`xmin`),
so a row read with its version and written `WHERE id = %s AND xmin = %s` is written only
if nothing changed it in between; if something did, nothing is written and the caller does
it again the locked way. Outside a transaction that UPDATE is a transaction of its own,
committed and flushed to disk like any other: two round trips. Rows that must be added
with the write (an audit row) go in the same statement, added only if the write is.

Only on PostgreSQL (`supported`); elsewhere callers keep the lock.
"""

from collections.abc import Sequence

from django.db import connections, models
from django.db.models.expressions import RawSQL


class RowChanged(Exception):
    """The row is no longer the version that was read: nothing was written."""


def supported(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def version(model: type[models.Model]) -> RawSQL:
    """The row's version as text, for `.annotate(row_version=version(Model))`."""
    table = connections["default"].ops.quote_name(model._meta.db_table)
    return RawSQL(f"{table}.xmin::text", ())  # noqa: S611 - a table name from _meta, no input


def update(
    instance: models.Model,
    fields: Sequence[str],
    *,
    row_version: str,
    along: Sequence[models.Model] = (),
    using: str = "default",
) -> None:
    """Write `fields` of `instance` (auto_now fields set as save() sets them) if its row is
    still at `row_version`, and insert each of `along` (new instances) with it, in one
    statement; raises RowChanged, having written nothing, if the row has changed."""
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = instance._meta
    columns = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in columns)
    params = [f.get_db_prep_save(f.pre_save(instance, add=False), connection) for f in columns]
    params += [meta.pk.get_db_prep_value(instance.pk, connection), row_version]
    # Only names from the models' _meta are written into the SQL; every value is a parameter.
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {sets} "  # noqa: S608
        f"WHERE {qn(meta.pk.column)} = %s AND xmin = %s::xid"
    )
    if along:
        parts = [f"written AS ({sql} RETURNING 1)"]
        for number, row in enumerate(along):
            added = [f for f in row._meta.concrete_fields if not f.primary_key]
            names = ", ".join(qn(f.column) for f in added)
            # Cast: a SELECT's values, unlike VALUES', do not take their columns' types.
            values = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in added)
            parts.append(
                f"added_{number} AS (INSERT INTO {qn(row._meta.db_table)} ({names}) "  # noqa: S608
                f"SELECT {values} FROM written)"
            )
            params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in added]
        sql = f"WITH {', '.join(parts)} SELECT count(*) FROM written"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchone()[0] if along else cursor.rowcount
    if written != 1:
        raise RowChanged
