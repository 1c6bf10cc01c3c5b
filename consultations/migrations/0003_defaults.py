"""The clinic's default appointment types and locations."""

from django.db import migrations

TYPES = [
    # name, kind, minutes, buffer before/after, notice h, horizon d, mode, bookable by,
    # needs approval, chair, recovery
    ("Initial consultation", "initial", 45, 0, 15, 24, 60, "either", "patient", True, False, 0),
    ("Follow-up", "follow_up", 20, 0, 10, 24, 60, "either", "patient", False, False, 0),
    ("Infusion session", "infusion", 60, 15, 15, 24, 60, "in_person", "staff", True, True, 60),
]


def create(apps, schema_editor):
    AppointmentType = apps.get_model("consultations", "AppointmentType")
    Location = apps.get_model("consultations", "Location")
    if not AppointmentType.objects.exists():
        for (
            name,
            kind,
            minutes,
            before,
            after,
            notice,
            horizon,
            mode,
            who,
            approval,
            chair,
            recovery,
        ) in TYPES:
            AppointmentType.objects.create(
                name=name,
                kind=kind,
                duration_minutes=minutes,
                buffer_before_minutes=before,
                buffer_after_minutes=after,
                min_notice_hours=notice,
                horizon_days=horizon,
                mode=mode,
                bookable_by=who,
                requires_approved_intake=approval,
                uses_chair=chair,
                chair_recovery_minutes=recovery,
            )
    if not Location.objects.exists():
        Location.objects.create(
            name="Main clinic", kind="clinic", address="100 Main Street, Suite 200", chairs=4
        )
        Location.objects.create(name="Video visit", kind="telehealth")


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_no_double_booking")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
