"""A fixed-shape query written with the ORM, compiled to SQL once a process.

On the hottest pages the ORM spent more time building a statement of a few subqueries
(thousands of Python calls) than the database spent running it. `Prepared` builds the
queryset once, with a stand-in where each varying value goes (a patient's id, a date
range, a list of providers' ids), keeps the SQL and parameters, and from then on only puts
the values in and runs it. The query is still defined once, in ORM terms, next to the code
that reads it.

`Prepared(build)`: `build(*values)` returns the queryset, using each value wherever it
goes; most take one value (an id), some none (`lambda: ...`), some several. A value is an
id (an int; None runs as NULL), a date, an aware datetime, or a list of them (an `IN`).
Each is stood in for by a distinct value of its type as the queryset is compiled, found
again among the statement's parameters as the backend adapted it (SQLite: dates as text).
A queryset is compiled once a process for each shape: how many values, and how many ids
each list holds (the picker asks for every active clinician or one). An empty list runs
the queryset itself, uncompiled (Django answers `IN ()` without a query).

What a run gives:
- `all`: what list(queryset) gives: model instances (converted by their fields, deferred
  fields deferred, select_related instances set) or a values_list's tuples (converted);
- `first`: the first model instance (slice the queryset, `[:1]`, so the statement asks for
  one row) or None, every field loaded (~1,500 calls saved on a step page's open intake),
  each annotation after them set as an attribute, as the queryset sets it;
- `rows`: dicts by column name, values as the driver gives them, not converted by the
  fields (a boolean may be 0 or 1 on SQLite, JSON may be text);
- `statement`: the SQL and parameters, for `run_together`, which runs several of them in
  one round trip on PostgreSQL (psycopg's client-side binding sends the statements as one
  string and hands back each one's rows in turn): a page that reads ten small lists waits
  for the database once, not ten times. `instances` makes a statement's rows into what
  `all` gives for model instances, `tuples` into what it gives for a values_list.

A locking queryset (select_for_update) is refused outside a transaction on every run, as
Django refuses it when it compiles (which here is once a process).
"""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.transaction import TransactionManagementError

from . import server_prepared

# Stand-ins for the values, one distinct value each, of the value's own type: ids below any
# real one (inside a 32-bit id's range: Django drops a lookup on a value out of its field's
# range), dates in 1800.
_ID_MARK = -2_000_000_000
_DATE_MARK = dt.date(1800, 1, 1)
_MOMENT_MARK = dt.datetime(1800, 1, 1, tzinfo=dt.UTC)
_LISTS = frozenset((list, tuple))


def _stand_in(value, n: int):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("Prepared takes aware datetimes only")
        return _MOMENT_MARK + dt.timedelta(minutes=n)
    if isinstance(value, dt.date):
        return _DATE_MARK + dt.timedelta(days=n)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return _ID_MARK + n
    raise TypeError(f"Prepared takes ids, dates and datetimes, not {type(value)}")


class _Statement:
    """One shape's SQL: its parameters, and where each value goes among them."""

    __slots__ = ("sql", "params", "slots", "lists", "locks")

    def __init__(self, sql: str, params: list, slots: list, lists: bool, locks: bool):
        self.sql = sql
        self.params = params
        self.slots = slots  # (parameter's position, value's position, adapter or None)
        self.lists = lists  # some value is a list: the slots count the lists' items
        self.locks = locks


class _Reader:
    """How one database's rows of the statement are read (the same for every shape)."""

    __slots__ = ("model", "converters", "whole", "annotations", "instances", "tuples")

    def __init__(self, queryset: QuerySet, compiler, alias: str):
        model = self.model = queryset.model
        columns = [column for column, _sql, _alias in compiler.select]
        # Each column's converters, as the queryset applies them.
        self.converters = list(compiler.get_converters(columns).items())
        # For first(): whether the columns start with the model's own fields in order (else
        # first() refuses), and the names of the annotations after them.
        fields = [f.attname for f in model._meta.concrete_fields]
        self.whole = [
            getattr(getattr(column, "target", None), "attname", None)
            for column in columns[: len(fields)]
        ] == fields
        self.annotations = [name for _column, _sql, name in compiler.select[len(fields) :]]
        self.whole &= set(self.annotations) <= set(queryset.query.annotation_select)
        # For instances() and all(): where the model's own columns are, their names, and
        # Django's populators for the select_related rows.
        self.instances = None
        iterable = queryset._iterable_class
        if iterable is ModelIterable and not compiler.annotation_col_map and compiler.klass_info:
            info = compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            names = [column.target.attname for column, *_ in compiler.select[start:end]]
            populators = get_related_populators(info, compiler.select, alias)
            self.instances = (start, end, names, populators)
        # For all() of a values_list: the tuples, each column converted.
        self.tuples = iterable is ValuesListIterable and compiler.col_count == len(columns)


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        """`build(*values)` returns the queryset, using each value wherever it goes."""
        self._build = build
        # Per (database, shape); the shape of values without a list is their number.
        self._compiled: dict[tuple, _Statement] = {}
        self._readers: dict[str, _Reader] = {}

    def _compile(self, key: tuple, values: tuple, alias: str) -> _Statement:
        flat, marks = [], []
        for value in values:
            if value.__class__ in _LISTS:
                marks.append([_stand_in(v, len(flat) + i) for i, v in enumerate(value)])
                flat.extend(value)
            else:
                marks.append(_stand_in(value, len(flat)))
                flat.append(value)
        queryset = self._build(*marks).using(alias)
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        ops = connections[alias].ops
        # Each stand-in as the backend may have adapted it (SQLite: dates as text).
        forms = {}
        for n, mark in enumerate(_flat(marks)):
            forms[type(mark), mark] = (n, None)
            if isinstance(mark, dt.datetime):
                adapt = ops.adapt_datetimefield_value
            elif isinstance(mark, dt.date):
                adapt = ops.adapt_datefield_value
            else:
                continue
            adapted = adapt(mark)
            forms.setdefault((type(adapted), adapted), (n, adapt))
        slots = [
            (i, *forms[type(param), param])
            for i, param in enumerate(params)
            if (type(param), param) in forms
        ]
        if sorted({n for _, n, _ in slots}) != list(range(len(flat))):
            raise ValueError("the queryset does not take each value it was given")
        if alias not in self._readers:
            self._readers[alias] = _Reader(queryset, compiler, alias)
        lists = any(value.__class__ in _LISTS for value in values)
        compiled = _Statement(
            sql, list(params), slots, lists, bool(queryset.query.select_for_update)
        )
        self._compiled[key] = compiled
        return compiled

    def _params(self, values: tuple, using: str) -> tuple[str, list] | None:
        """The SQL and parameters for `values`; None if a list is empty (the queryset is
        then run itself)."""
        key = None
        for value in values:
            if value.__class__ in _LISTS:
                lengths = [len(v) if v.__class__ in _LISTS else None for v in values]
                if 0 in lengths:
                    return None
                key = using, tuple(lengths)
                break
        if key is None:
            key = using, len(values)
        try:
            compiled = self._compiled[key]
        except KeyError:
            compiled = self._compile(key, values, using)
        if compiled.locks:
            # Django checks this as it compiles, which here is once a process: checked each run.
            connection = connections[using]
            if connection.features.has_select_for_update and connection.get_autocommit():
                raise TransactionManagementError(
                    "select_for_update cannot be used outside of a transaction."
                )
        params = list(compiled.params)
        if compiled.lists:
            flat = []
            for value in values:
                flat += value if value.__class__ in _LISTS else (value,)
            values = flat
        for i, n, adapt in compiled.slots:
            params[i] = values[n] if adapt is None else adapt(values[n])
        return compiled.sql, params

    def _queryset(self, values: tuple, using: str) -> QuerySet:
        return self._build(*values).using(using)

    def statement(self, *values, using: str = "default") -> tuple[str, list]:
        """The SQL and parameters for `values`, as run_together takes them."""
        statement = self._params(values, using)
        if statement is None:
            raise ValueError("statement() takes no empty list: run all() or first()")
        return statement

    def all(self, *values, using: str = "default") -> list:
        """What list(queryset) gives, in its order: model instances (select_related ones
        set, deferred fields deferred) or a values_list's tuples, converted by their fields."""
        statement = self._params(values, using)
        if statement is None:
            return list(self._queryset(values, using))
        reader = self._readers[using]
        if reader.instances is None and not reader.tuples:
            raise ValueError("all() reads model instances or a values_list's tuples")
        connection = connections[using]
        with connection.cursor() as cursor:
            server_prepared.execute(cursor, connection, [statement])
            fetched = cursor.fetchall()
        if reader.instances is not None:
            return self._instances(fetched, reader, connection, using)
        return self._tuples(fetched, reader, connection)

    def tuples(self, rows, using: str = "default") -> list:
        """A values_list's tuples of these rows (the statement's, as run_together gives
        them), each column converted as iterating the queryset would."""
        try:
            reader = self._readers[using]
        except KeyError:
            raise ValueError("tuples() reads the rows of a statement() made before") from None
        if not reader.tuples:
            raise ValueError("tuples() reads a values_list's rows")
        return self._tuples(rows, reader, connections[using])

    @staticmethod
    def _tuples(rows, reader: _Reader, connection) -> list:
        converters = reader.converters
        if not converters:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for position, (functions, column) in converters:
                for convert in functions:
                    row[position] = convert(row[position], column, connection)
            out.append(tuple(row))
        return out

    def instances(self, rows, using: str = "default") -> list:
        """The model instances the queryset makes of these rows (the statement's, as
        run_together gives them): converted by their fields, deferred fields deferred,
        select_related instances set, as iterating the queryset would."""
        try:
            reader = self._readers[using]
        except KeyError:
            raise ValueError("instances() reads the rows of a statement() made before") from None
        if reader.instances is None:
            raise ValueError("instances() reads model instances: no values(), annotate(), ...")
        return self._instances(rows, reader, connections[using], using)

    @staticmethod
    def _instances(rows, reader: _Reader, connection, using: str) -> list:
        start, end, names, populators = reader.instances
        converters, from_db = reader.converters, reader.model.from_db
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, column) in converters:
                    for convert in functions:
                        row[position] = convert(row[position], column, connection)
            obj = from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def first(self, *values, using: str = "default"):
        """The first model instance the queryset gives (in its order: slice it, `[:1]`,
        so the statement asks for one row), or None. For a queryset of whole instances:
        every field read, converted and set as the queryset itself would, and each
        annotation set as an attribute of that name."""
        statement = self._params(values, using)
        if statement is None:
            return next(iter(self._queryset(values, using)), None)
        reader = self._readers[using]
        if not reader.whole:
            raise ValueError("first() reads whole model instances: no only(), values(), ...")
        connection = connections[using]
        with connection.cursor() as cursor:
            server_prepared.execute(cursor, connection, [statement])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (functions, column) in reader.converters:
            for convert in functions:
                row[position] = convert(row[position], column, connection)
        annotations = reader.annotations
        if not annotations:
            return reader.model.from_db(using, None, row)
        fields = len(row) - len(annotations)
        instance = reader.model.from_db(using, None, row[:fields])
        for name, value in zip(annotations, row[fields:], strict=True):
            setattr(instance, name, value)
        return instance

    def rows(self, *values, using: str = "default") -> list[dict]:
        """The rows as dicts by column name, as the driver gives them (not converted)."""
        statement = self._params(values, using)
        if statement is None:
            compiler = self._queryset(values, using).query.get_compiler(using)
            try:
                statement = compiler.as_sql()
            except EmptyResultSet:
                return []
        connection = connections[using]
        with connection.cursor() as cursor:
            server_prepared.execute(cursor, connection, [statement])
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _flat(values):
    for value in values:
        if value.__class__ in _LISTS:
            yield from value
        else:
            yield value


def run_together(statements: list[tuple[str, list]], using: str = "default") -> list[list]:
    """Each statement's rows (tuples, as the driver gives them), in the order given: on
    PostgreSQL in one round trip, elsewhere one statement after another."""
    connection = connections[using]
    together = connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")  # server-side binding takes one statement at a time
    with connection.cursor() as cursor:
        if not together:
            out = []
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out
        server_prepared.execute(cursor, connection, statements)
        out = [cursor.fetchall()]
        while len(out) < len(statements) and cursor.nextset():
            out.append(cursor.fetchall())
        return out
