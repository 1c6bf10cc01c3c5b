"""Trigram indexes for searching people by part of a name or email, on PostgreSQL only.

Every search box matches words anywhere in first name, last name or email
(clinic/accounts/search.py: `icontains`, which Django writes as UPPER(col::text) LIKE
'%WORD%'). A btree cannot serve a leading wildcard; a pg_trgm GIN index over the same
UPPER(...) expression can, so a search reads the matching rows instead of the table.
SQLite (development) has no such index and searches by scanning, which is fine at its
sizes. Where the database user may not create the extension, the migration says so and
carries on: search stays correct, only slower.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def _name(column: str) -> str:
    return f"user_{column}_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT trgm")
            except Exception as error:  # no privilege: search works without the indexes
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")
                print(f"\n  pg_trgm not available ({error.__class__.__name__}); no search indexes.")
                return
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {_name(column)} ON accounts_user "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_name_sort_index")]
    operations = [migrations.RunPython(create, drop)]
