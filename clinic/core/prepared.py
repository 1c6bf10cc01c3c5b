"""A fixed-shape query written with the ORM, compiled to SQL once a process.

On the hottest pages the ORM spent more time building a statement of a few subqueries
(thousands of Python calls) than the database spent running it. `Prepared` builds the
queryset once, with a marker where its one varying value goes (a patient's id, say),
keeps the SQL and parameters, and from then on only puts the value in and runs it. The
query is still defined once, in ORM terms, next to the code that reads it.

Rows come back as the database driver gives them: dicts by column name, values not
converted by the fields (a boolean may be 0 or 1 on SQLite, JSON may be text). `first`
gives a model instance instead, as the queryset's `.first()` would (every field loaded
and converted by its field, as the queryset does): the patient's open intake, read on
every step page, cost ~1,500 calls to compile (37 columns) and as many again to run.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

# Stands for the value in the compiled statement; no real parameter is ever this. Inside the
# range of a 32-bit id: Django drops a lookup on a value out of its field's range.
_MARK = -1_987_654_321


class Prepared:
    def __init__(self, build: Callable[[object], QuerySet]):
        """`build(value)` returns the queryset, using `value` wherever the value goes."""
        self._build = build
        self._compiled: dict[str, tuple[str, list, list[int]]] = {}
        # For first(), per database: each column's converters, as the queryset applies them,
        # and whether the columns are the model's own fields in order (else first() refuses).
        self._converters: dict[str, list] = {}
        self._whole_rows: dict[str, bool] = {}

    def _statement(self, alias: str) -> tuple[str, list, list[int]]:
        if alias not in self._compiled:
            queryset = self._build(_MARK).using(alias)
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            slots = [i for i, param in enumerate(params) if param == _MARK]
            if not slots:
                raise ValueError("the queryset does not use the value it was given")
            self._compiled[alias] = (sql, list(params), slots)
            self._locks = queryset.query.select_for_update
            self._model = queryset.model
            columns = [column for column, _sql, _alias in compiler.select]
            self._converters[alias] = list(compiler.get_converters(columns).items())
            fields = [f.attname for f in self._model._meta.concrete_fields]
            self._whole_rows[alias] = [
                getattr(getattr(column, "target", None), "attname", None) for column in columns
            ] == fields
        return self._compiled[alias]

    def _params(self, value, using: str) -> tuple[str, list]:
        sql, params, slots = self._statement(using)
        # Django checks this as it compiles, which here is once a process: checked each run.
        connection = connections[using]
        locks_outside_a_transaction = (
            self._locks
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        )
        if locks_outside_a_transaction:
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(params)
        for slot in slots:
            params[slot] = value
        return sql, params

    def first(self, value, using: str = "default"):
        """The first model instance the queryset gives (in its order: slice it, `[:1]`,
        so the statement asks for one row), or None. For a queryset of whole instances:
        every field read, converted and set as the queryset itself would."""
        sql, params = self._params(value, using)
        if not self._whole_rows[using]:
            raise ValueError("first() reads whole model instances: no only(), values(), ...")
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (converters, column) in self._converters[using]:
            for converter in converters:
                row[position] = converter(row[position], column, connection)
        return self._model.from_db(using, None, row)

    def rows(self, value, using: str = "default") -> list[dict]:
        sql, params = self._params(value, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
