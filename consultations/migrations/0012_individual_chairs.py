"""Individual infusion chairs replace the chair count.

Each clinic location's count becomes chairs "Chair 1" .. "Chair N"; booked infusions
still to come are given a chair (the first free one over their window, recovery
included), so the exclusion constraint guards them from now on. A location that had
chairs but no opening hours gets weekday hours 08:00-18:00: infusions must lie inside
opening hours now, and without any the clinic would silently stop offering them. The
admin edits them on the location's page.
"""

import datetime as dt

from django.db import migrations

ACTIVE = ("booked", "checked_in", "completed", "no_show")
DEFAULT_OPEN, DEFAULT_CLOSE = dt.time(8), dt.time(18)


def to_chairs(apps, schema_editor):
    Location = apps.get_model("consultations", "Location")
    Chair = apps.get_model("consultations", "Chair")
    OpeningHours = apps.get_model("consultations", "OpeningHours")
    Appointment = apps.get_model("consultations", "Appointment")
    for location in Location.objects.filter(chairs__gt=0).order_by("pk"):
        for number in range(1, location.chairs + 1):
            Chair.objects.get_or_create(location=location, name=f"Chair {number}")
        if location.kind == "clinic" and not OpeningHours.objects.filter(location=location):
            for weekday in range(5):
                OpeningHours.objects.create(
                    location=location, weekday=weekday, start=DEFAULT_OPEN, end=DEFAULT_CLOSE
                )
    chairs = list(Chair.objects.filter(active=True).order_by("location_id", "pk"))
    taken: dict[int, list[tuple]] = {chair.pk: [] for chair in chairs}
    rows = Appointment.objects.filter(uses_chair=True, status__in=ACTIVE).order_by("start", "pk")
    for appointment in rows:
        end = appointment.chair_end or appointment.end
        window = (appointment.start, end)
        if appointment.chair_id is not None:
            taken.setdefault(appointment.chair_id, []).append(window)
            continue
        for chair in chairs:
            if chair.location_id != appointment.location_id and any(
                c.location_id == appointment.location_id for c in chairs
            ):
                continue
            if all(end <= s or e <= appointment.start for s, e in taken[chair.pk]):
                taken[chair.pk].append(window)
                appointment.chair_id = chair.pk
                appointment.chair_end = end
                appointment.location_id = chair.location_id
                appointment.save(update_fields=["chair", "chair_end", "location"])
                break
        # No chair free: the row keeps none and still takes "some" chair in availability.


def to_count(apps, schema_editor):
    Location = apps.get_model("consultations", "Location")
    Chair = apps.get_model("consultations", "Chair")
    for location in Location.objects.all():
        location.chairs = Chair.objects.filter(location=location, active=True).count()
        location.save(update_fields=["chairs"])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0011_outcome_and_infusion_record"),
    ]

    operations = [
        migrations.RunPython(to_chairs, to_count),
        migrations.RemoveField(model_name="location", name="chairs"),
    ]
