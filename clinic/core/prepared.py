"""A fixed-shape query written with the ORM, compiled to SQL once a process.

On the hottest pages the ORM spent more time building a statement of a few subqueries
(thousands of Python calls) than the database spent running it. `Prepared` builds the
queryset once, with a marker where its one varying value goes (a patient's id, say),
keeps the SQL and parameters, and from then on only puts the value in and runs it. The
query is still defined once, in ORM terms, next to the code that reads it.

Rows come back as the database driver gives them: dicts by column name, values not
converted by the fields (a boolean may be 0 or 1 on SQLite, JSON may be text). `first`
gives a model instance instead, as the queryset's `.first()` would (every field loaded
and converted by its field, as the queryset does; an annotation after them is set as an
attribute, as the queryset sets it): the patient's open intake, read on every step page,
cost ~1,500 calls to compile (37 columns) and as many again to run.
`all` gives every instance, its `select_related` rows included, as iterating the queryset
would.

`run_together` runs several of them in one round trip on PostgreSQL (psycopg's client-side
binding sends the statements as one string and hands back each one's rows in turn): a page
that reads ten small lists waits for the database once, not ten times.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Stands for the value in the compiled statement; no real parameter is ever this. Inside the
# range of a 32-bit id: Django drops a lookup on a value out of its field's range.
_MARK = -1_987_654_321


class Prepared:
    def __init__(self, build: Callable[[object], QuerySet], *, takes_value: bool = True):
        """`build(value)` returns the queryset, using `value` wherever the value goes (or,
        with `takes_value=False`, a queryset that has no varying value: the value is
        ignored)."""
        self._build = build
        self._takes_value = takes_value
        # For all(), per database: where the model's own columns are, their names, and
        # Django's populators for the select_related rows.
        self._shapes: dict[str, tuple] = {}
        self._compiled: dict[str, tuple[str, list, list[int]]] = {}
        # For first(), per database: each column's converters, as the queryset applies them,
        # whether the columns start with the model's own fields in order (else first()
        # refuses), and the names of the annotations after them.
        self._converters: dict[str, list] = {}
        self._whole_rows: dict[str, bool] = {}
        self._annotations: dict[str, list[str]] = {}

    def _statement(self, alias: str) -> tuple[str, list, list[int]]:
        if alias not in self._compiled:
            queryset = self._build(_MARK).using(alias)
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            slots = [i for i, param in enumerate(params) if param == _MARK]
            if not slots and self._takes_value:
                raise ValueError("the queryset does not use the value it was given")
            self._compiled[alias] = (sql, list(params), slots)
            self._locks = queryset.query.select_for_update
            self._model = queryset.model
            columns = [column for column, _sql, _alias in compiler.select]
            self._converters[alias] = list(compiler.get_converters(columns).items())
            fields = [f.attname for f in self._model._meta.concrete_fields]
            self._whole_rows[alias] = [
                getattr(getattr(column, "target", None), "attname", None)
                for column in columns[: len(fields)]
            ] == fields
            self._annotations[alias] = [
                name for _column, _sql, name in compiler.select[len(fields) :]
            ]
            self._whole_rows[alias] &= set(self._annotations[alias]) <= set(
                queryset.query.annotation_select
            )
            if not compiler.annotation_col_map and compiler.klass_info:
                info = compiler.klass_info
                start, end = info["select_fields"][0], info["select_fields"][-1] + 1
                names = [column.target.attname for column, *_ in compiler.select[start:end]]
                populators = get_related_populators(info, compiler.select, alias)
                self._shapes[alias] = (start, end, names, populators)
        return self._compiled[alias]

    def statement(self, value=None, using: str = "default") -> tuple[str, list]:
        """The SQL and parameters for `value`, as run_together takes them."""
        return self._params(value, using)

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
        every field read, converted and set as the queryset itself would, and each
        annotation set as an attribute of that name."""
        sql, params = self._params(value, using)
        if not self._whole_rows[using]:
            raise ValueError("first() reads whole model instances: no only(), values(), ...")
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = self._converted(row, connection, using)
        fields = len(row) - len(self._annotations[using])
        instance = self._model.from_db(using, None, row[:fields])
        for name, value in zip(self._annotations[using], row[fields:], strict=True):
            setattr(instance, name, value)
        return instance

    def _converted(self, row, connection, using: str) -> list:
        row = list(row)
        for position, (converters, column) in self._converters[using]:
            for converter in converters:
                row[position] = converter(row[position], column, connection)
        return row

    def all(self, value, using: str = "default") -> list:
        """Every model instance the queryset gives, in its order."""
        sql, params = self._params(value, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return self.instances(cursor.fetchall(), using)

    def instances(self, rows, using: str = "default") -> list:
        """The model instances the queryset makes of these rows (the statement's, as
        run_together gives them): converted by their fields, deferred fields deferred,
        select_related instances set, as iterating the queryset would."""
        self._statement(using)
        if using not in self._shapes:
            raise ValueError("instances() reads model instances: no values(), annotate(), ...")
        start, end, names, populators = self._shapes[using]
        connection, model = connections[using], self._model
        out = []
        for row in rows:
            row = self._converted(row, connection, using)
            obj = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def rows(self, value, using: str = "default") -> list[dict]:
        sql, params = self._params(value, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
        cursor.execute(
            ";\n".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
        )
        out = [cursor.fetchall()]
        while len(out) < len(statements) and cursor.nextset():
            out.append(cursor.fetchall())
        return out
