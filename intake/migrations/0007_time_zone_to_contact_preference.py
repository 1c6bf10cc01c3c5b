"""The patient's time zone now has one home, ContactPreference.time_zone: copy the zone each
patient gave in their intake there (unless they already have one), so nobody's times move."""

import zoneinfo

from django.db import migrations


def copy_zones(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    ContactPreference = apps.get_model("notifications", "ContactPreference")
    known = zoneinfo.available_timezones()
    # Newest intake first: a patient's latest answer wins, as it did when it was read live.
    seen = set()
    for patient_id, answers in Intake.objects.order_by("-created_at").values_list(
        "patient_id", "answers"
    ):
        if patient_id in seen:
            continue
        seen.add(patient_id)
        zone = (answers or {}).get("time_zone")
        if not isinstance(zone, str) or zone not in known:
            continue
        preference, _ = ContactPreference.objects.get_or_create(user_id=patient_id)
        if not preference.time_zone:
            preference.time_zone = zone
            preference.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_triage_choices"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_zones, migrations.RunPython.noop)]
