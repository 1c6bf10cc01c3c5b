"""An infusion on a chair no longer takes its supervising clinician's time.

The provider exclusion constraint now covers only rows without a chair; the chair
constraint (0012) holds every infusion on a chair. So one supervisor may watch infusions
on several chairs at once, while their consultations still never overlap each other.
On SQLite neither constraint exists (PostgresExclusionConstraint emits nothing).
"""

import django.contrib.postgres.fields.ranges
from django.db import migrations, models

import consultations.models.scheduling


class Migration(migrations.Migration):
    dependencies = [("consultations", "0013_check_ins_and_boosters")]

    operations = [
        migrations.RemoveConstraint(
            model_name="appointment",
            name="appointment_no_double_booking",
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=consultations.models.scheduling.PostgresExclusionConstraint(
                condition=models.Q(
                    ("chair__isnull", True),
                    ("status__in", ("booked", "checked_in", "completed", "no_show")),
                ),
                expressions=[
                    ("provider", "="),
                    (
                        consultations.models.scheduling.TsTzRange(
                            "block_start",
                            "block_end",
                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                        ),
                        "&&",
                    ),
                ],
                name="appointment_no_double_booking",
            ),
        ),
    ]
