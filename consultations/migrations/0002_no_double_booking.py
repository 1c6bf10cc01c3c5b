"""No double booking, ever: on PostgreSQL the database refuses two active appointments of
one provider whose blocks (buffers included) overlap. SQLite (development) has no
exclusion constraints; there the booking service's lock and re-check are the guard.
"""

from django.db import migrations

ACTIVE = "('booked', 'checked_in', 'completed', 'no_show')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE consultations_appointment ADD CONSTRAINT appointment_no_double_booking
        EXCLUDE USING gist (
            provider_id WITH =,
            tstzrange(block_start, block_end, '[)') WITH &&
        ) WHERE (status IN {ACTIVE})""",
]
BACKWARD = [
    "ALTER TABLE consultations_appointment DROP CONSTRAINT IF EXISTS appointment_no_double_booking"
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
