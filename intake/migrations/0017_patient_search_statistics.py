"""More statistics for the search's copy of the patient's name (PostgreSQL).

How common a word is, the planner reads off the column's histogram: with the default
100 entries its guess for "smith" (2 % of 100,000 intakes) came out anywhere from
under 1 % to 4 % from one ANALYZE to the next, and for the low guesses (4 ANALYZEs in
15) it read and sorted every match (2,046 rows, ~4 ms) instead of walking the queue's
index to the first 26 (0.3 ms). With 500 the guess stays near the count (12 in 12:
about 1,800) and the plan is the walk.
"""

from django.db import migrations


def more(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE intake_intake ALTER COLUMN patient_search SET STATISTICS 500"
        )
        schema_editor.execute("ANALYZE intake_intake")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE intake_intake ALTER COLUMN patient_search SET STATISTICS -1"
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0016_patient_search")]
    operations = [migrations.RunPython(more, default)]
