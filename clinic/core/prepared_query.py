"""clinic.core.prepared's compile-once for a queryset of several values, lists among them.

`Prepared` takes one value (a patient's id). The booking picker's reads take several: a
date range, a list of providers' ids (an `IN`, one parameter an id), a booking to leave
out. `PreparedQuery` compiles such a queryset once a process for each shape (how many ids
each list holds: the picker asks for every active clinician or one) and from then on puts
the values in and runs it, giving what list(queryset) gives: model instances, converted
by their fields, or a values_list's tuples.
"""

import datetime as dt
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable

# Stand-ins for PreparedQuery's values, one distinct value each, of the value's own type:
# ids below any real one (inside a 32-bit id's range, as Django wants), dates in 1800.
_ID_MARK = -2_000_000_000
_DATE_MARK = dt.date(1800, 1, 1)
_MOMENT_MARK = dt.datetime(1800, 1, 1, tzinfo=dt.UTC)


def _stand_in(value, n: int):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("PreparedQuery takes aware datetimes only")
        return _MOMENT_MARK + dt.timedelta(minutes=n)
    if isinstance(value, dt.date):
        return _DATE_MARK + dt.timedelta(days=n)
    if isinstance(value, int) and not isinstance(value, bool):
        return _ID_MARK + n
    raise TypeError(f"PreparedQuery takes ids, dates and datetimes, not {type(value)}")


class PreparedQuery:
    """Prepared for a queryset of several values, lists of ids among them (an `IN`): what
    list(queryset) gives (model instances, or the tuples of a values_list), compiled once a
    process for each shape (how many ids each list holds), the values put in by position.

    `build(*values)` returns the queryset. The values are ints, dates or aware datetimes,
    or lists of them; each is stood in for by a distinct value of its type as the queryset
    is compiled, found again among the statement's parameters as the backend adapted it.
    An empty list runs the queryset itself (Django answers it without a query)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._compiled: dict[tuple, tuple] = {}

    def _statement(self, alias: str, values: tuple, shape: tuple) -> tuple:
        key = (alias, shape)
        if key not in self._compiled:
            flat, marks = [], []
            for value in values:
                if isinstance(value, list | tuple):
                    marks.append([_stand_in(v, len(flat) + i) for i, v in enumerate(value)])
                    flat.extend(value)
                else:
                    marks.append(_stand_in(value, len(flat)))
                    flat.append(value)
            queryset = self._build(*marks).using(alias)
            iterable = queryset._iterable_class
            if queryset.query.select_for_update or iterable not in (
                ModelIterable,
                ValuesListIterable,
            ):
                raise ValueError("PreparedQuery reads instances or values_list tuples, unlocked")
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            connection = connections[alias]
            ops = connection.ops
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
            columns = [column for column, _sql, _alias in compiler.select]
            if compiler.col_count != len(columns):
                raise ValueError("the statement selects more than the queryset gives")
            converters = list(compiler.get_converters(columns).items())
            model = queryset.model if iterable is ModelIterable else None
            if model is not None:
                fields = [f.attname for f in model._meta.concrete_fields]
                named = [getattr(getattr(c, "target", None), "attname", None) for c in columns]
                if named != fields or compiler.klass_info.get("related_klass_infos"):
                    raise ValueError("PreparedQuery reads whole instances of one model only")
            self._compiled[key] = (sql, list(params), slots, converters, model)
        return self._compiled[key]

    def rows(self, *values, using: str = "default") -> list:
        shape = tuple(len(v) if isinstance(v, list | tuple) else None for v in values)
        if 0 in shape:
            return list(self._build(*values).using(using))
        sql, params, slots, converters, model = self._statement(using, values, shape)
        flat = list(_flat(values))
        params = list(params)
        for i, n, adapt in slots:
            params[i] = flat[n] if adapt is None else adapt(flat[n])
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            fetched = [list(row) for row in fetched]
            for row in fetched:
                for position, (functions, column) in converters:
                    for convert in functions:
                        row[position] = convert(row[position], column, connection)
        if model is None:
            return [tuple(row) for row in fetched] if converters else fetched
        return [model.from_db(using, None, row) for row in fetched]


def _flat(values):
    for value in values:
        if isinstance(value, list | tuple):
            yield from value
        else:
            yield value
