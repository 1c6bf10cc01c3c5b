"""The no-double-booking constraint, now declared on the model (Appointment.Meta).

Migration 0002 wrote it as raw SQL with its own copy of the active statuses; the model is
now the one definition (models.ACTIVE_STATUSES), so a change of statuses shows up in
`makemigrations` like any other. Same name, same definition: this drops 0002's copy and
adds the declared one. On SQLite neither exists (PostgresExclusionConstraint emits nothing).
"""

import django.contrib.postgres.fields.ranges
from django.db import migrations, models

import consultations.models

NAME = "appointment_no_double_booking"
# 0002's statement, kept here so this migration can be reversed.
RAW = f"""ALTER TABLE consultations_appointment ADD CONSTRAINT {NAME}
    EXCLUDE USING gist (
        provider_id WITH =,
        tstzrange(block_start, block_end, '[)') WITH &&
    ) WHERE (status IN ('booked', 'checked_in', 'completed', 'no_show'))"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_override_interval")]
    operations = [
        migrations.RunPython(
            _on_postgresql(f"ALTER TABLE consultations_appointment DROP CONSTRAINT {NAME}"),
            _on_postgresql(RAW),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=consultations.models.PostgresExclusionConstraint(
                condition=models.Q(
                    ("status__in", ("booked", "checked_in", "completed", "no_show"))
                ),
                expressions=[
                    ("provider", "="),
                    (
                        consultations.models.TsTzRange(
                            "block_start",
                            "block_end",
                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                        ),
                        "&&",
                    ),
                ],
                name=NAME,
            ),
        ),
    ]
