"""The patient's name and email on each intake, kept by triggers, for the queue's search.

The queue's search (intake.filters.IntakeFilter.search) needs every word in the patient's
first name, last name or email. Joined from accounts_user, a common surname at 100,000
intakes walked ~1,200 intakes in queue order and looked each one's patient up (2.7 ms, the
page's one cost that grew with the table; issue 15). Here the three are on the intake, a
line each (a word has no line break, so a word is in the text exactly when it is in one of
the three), in capitals (UPPER, as an icontains search compares: not once per row a
search passes), kept by the database whatever the code writes:
- an intake, inserted or updated, takes its patient's (so a stale value a save writes back
  is put right);
- a patient made or renamed, or whose email changes, passes it to their intakes.
On PostgreSQL, two indexes: the queue's order with the text (and phone and date of birth,
the search's other fields) included
(and the status, the tab searched in), so a common word is found walking that index alone,
and a trigram index for a rare word (few matches: found, then sorted).
"""

import importlib

from django.db import migrations, models

POSTGRESQL = [
    r"""
    CREATE FUNCTION intake_patient_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.patient_search := COALESCE(
            (SELECT UPPER(first_name || E'\n' || last_name || E'\n' || email)
             FROM accounts_user WHERE id = NEW.patient_id), '');
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER intake_patient_search BEFORE INSERT OR UPDATE ON intake_intake
       FOR EACH ROW EXECUTE FUNCTION intake_patient_search()""",
    r"""
    CREATE FUNCTION user_patient_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE intake_intake
        SET patient_search = UPPER(NEW.first_name || E'\n' || NEW.last_name || E'\n' || NEW.email)
        WHERE patient_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """CREATE TRIGGER user_patient_search_insert AFTER INSERT ON accounts_user
       FOR EACH ROW EXECUTE FUNCTION user_patient_search()""",
    """CREATE TRIGGER user_patient_search_update
       AFTER UPDATE OF first_name, last_name, email ON accounts_user
       FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name
           OR OLD.last_name IS DISTINCT FROM NEW.last_name
           OR OLD.email IS DISTINCT FROM NEW.email)
       EXECUTE FUNCTION user_patient_search()""",
    # The BEFORE trigger writes each row's text.
    "UPDATE intake_intake SET patient_search = ''",
    """CREATE INDEX intake_queue_search_idx ON intake_intake (triage_rank, submitted_at, id)
       INCLUDE (patient_search, phone, date_of_birth, status)""",
    # Statistics for the new column: without them the planner guesses how common a word
    # is, and walks the index for a rare one or sorts every match of a common one.
    "ANALYZE intake_intake",
]
POSTGRESQL_UNDO = [
    "DROP INDEX IF EXISTS intake_patient_search_trgm_idx",
    "DROP INDEX IF EXISTS intake_queue_search_idx",
    "DROP TRIGGER IF EXISTS intake_patient_search ON intake_intake",
    "DROP TRIGGER IF EXISTS user_patient_search_insert ON accounts_user",
    "DROP TRIGGER IF EXISTS user_patient_search_update ON accounts_user",
    "DROP FUNCTION IF EXISTS intake_patient_search()",
    "DROP FUNCTION IF EXISTS user_patient_search()",
]
# Only where pg_trgm is (clinic/accounts/migrations/0004 makes it when it may).
POSTGRESQL_TRGM = """CREATE INDEX intake_patient_search_trgm_idx ON intake_intake
    USING gin (patient_search gin_trgm_ops)"""

_FILL_SQLITE = """UPDATE intake_intake SET patient_search = COALESCE(
    (SELECT UPPER(first_name || char(10) || last_name || char(10) || email)
     FROM accounts_user WHERE accounts_user.id = intake_intake.patient_id), '')"""
_FILL_ONE = f"{_FILL_SQLITE} WHERE id = NEW.id;"
_GIVE = (
    "UPDATE intake_intake SET patient_search = "
    "UPPER(NEW.first_name || char(10) || NEW.last_name || char(10) || NEW.email) "
    "WHERE patient_id = NEW.id;"
)
# SQLite: AFTER triggers (recursive triggers are off, so a trigger's own UPDATE does not
# fire it again). Django's save writes every column, patient_search among them.
SQLITE = [
    f"""CREATE TRIGGER intake_patient_search_insert AFTER INSERT ON intake_intake
        BEGIN {_FILL_ONE} END""",
    f"""CREATE TRIGGER intake_patient_search_update
        AFTER UPDATE OF patient_id, patient_search ON intake_intake
        BEGIN {_FILL_ONE} END""",
    f"""CREATE TRIGGER user_patient_search_insert AFTER INSERT ON accounts_user
        BEGIN {_GIVE} END""",
    f"""CREATE TRIGGER user_patient_search_update
        AFTER UPDATE OF first_name, last_name, email ON accounts_user
        BEGIN {_GIVE} END""",
    _FILL_SQLITE,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS intake_patient_search_insert",
    "DROP TRIGGER IF EXISTS intake_patient_search_update",
    "DROP TRIGGER IF EXISTS user_patient_search_insert",
    "DROP TRIGGER IF EXISTS user_patient_search_update",
]


def _status_count_triggers() -> list[str]:
    """SQLite adds a NOT NULL column by making the table again, which drops its triggers:
    the status counts' (0014) are made again (the counts themselves are untouched)."""
    counts = importlib.import_module("intake.migrations.0014_status_counts")
    return [*counts.SQLITE_UNDO, *(sql for sql in counts.SQLITE if sql != counts.FILL)]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL, "sqlite": [*_status_count_triggers(), *SQLITE]}.get(
        vendor
    )
    if statements is None:
        raise NotImplementedError(f"intake patient search triggers for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cursor.fetchone() is not None:
                schema_editor.execute(POSTGRESQL_TRGM)


def status_count_triggers_again(apps, schema_editor):
    # Undoing: after the column is removed (the table made again once more on SQLite).
    if schema_editor.connection.vendor == "sqlite":
        for sql in _status_count_triggers():
            schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0015_checkin_alert_kind"),
        ("accounts", "0004_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, status_count_triggers_again),
        migrations.AddField(
            model_name="intake",
            name="patient_search",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(install, uninstall),
    ]
