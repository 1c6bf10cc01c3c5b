"""Date overrides span a range: `date` becomes `start_date`, and each existing one-day row
gets `end_date` equal to its date, so every entry keeps meaning exactly what it did."""

from django.db import migrations, models
from django.db.models import F


def copy_date_to_end_date(apps, schema_editor):
    DateOverride = apps.get_model("consultations", "DateOverride")
    DateOverride.objects.filter(end_date__isnull=True).update(end_date=F("start_date"))


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0008_main_clinic_city_and_zip"),
    ]

    operations = [
        migrations.RenameField(model_name="dateoverride", old_name="date", new_name="start_date"),
        migrations.AddField(
            model_name="dateoverride",
            name="end_date",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(copy_date_to_end_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dateoverride",
            name="end_date",
            field=models.DateField(help_text="The last date included."),
        ),
        migrations.AlterModelOptions(
            name="dateoverride",
            options={"ordering": ["start_date", "start", "pk"]},
        ),
        migrations.AddIndex(
            model_name="dateoverride",
            index=models.Index(fields=["start_date", "end_date"], name="override_dates_idx"),
        ),
        migrations.AddConstraint(
            model_name="dateoverride",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_date__gte", models.F("start_date"))),
                name="override_end_date_on_or_after_start",
            ),
        ),
    ]
