"""People search and name sorting are served by indexes on PostgreSQL, not table scans."""

import pytest
from django.db import connection

from clinic.accounts.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_trgm indexes are PostgreSQL's (CI runs it)"
    ),
]


def _plan(queryset, *, lookups_only: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Tiny test tables would be scanned anyway; forbid it to see whether an index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if lookups_only:
            # Nor walk a whole btree and filter each row (as cheap as anything on a tiny
            # table): only an index that can answer the condition itself is left.
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("column", ["first_name", "last_name", "email"])
def test_a_search_word_is_looked_up_in_the_trigram_index_of_each_column(column):
    plan = _plan(
        User.objects.filter(**{f"{column}__icontains": "smi"}).order_by(), lookups_only=True
    )
    # Django writes icontains as UPPER(col::text) LIKE ...: the index must be on exactly that.
    assert f"user_{column}_trgm_idx" in plan


def test_sorting_people_by_name_reads_the_name_index():
    plan = _plan(User.objects.order_by("last_name", "first_name", "email")[:25])
    assert "user_name_sort_idx" in plan
