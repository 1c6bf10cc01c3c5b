"""Times as patients read them: in their own zone, with the clinic's zone noted if different."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from clinic.core.timezones import is_time_zone
from clinic.notifications.models import ContactPreference


def patient_zone(patient) -> str:
    """The patient's zone from their contact preferences (the one source), else the clinic's.

    Set at sign-up from the browser and changed by the patient on their preferences page;
    the picker, emails, SMS quiet hours and `.ics` files all read it here. A preference
    loaded with the patient (the outbox dispatcher's batch joins it) is read without a query.
    """
    loaded = getattr(type(patient), "contact_preference", None)  # the reverse one-to-one
    if loaded is not None and loaded.is_cached(patient):
        preference = getattr(patient, "contact_preference", None)  # None: the patient has none
        zone = preference.time_zone if preference is not None else None
    else:
        zone = (
            ContactPreference.objects.filter(user=patient)
            .values_list("time_zone", flat=True)
            .first()
        )
    return zone_or_clinic(zone)


def zone_or_clinic(zone: str | None) -> str:
    """A patient's stored zone if it is one, else the clinic's (patient_zone's rule)."""
    return zone if is_time_zone(zone) else settings.CLINIC_TIME_ZONE


def format_when(start: dt.datetime, zone: str, *, with_clinic: bool = True) -> str:
    local = start.astimezone(ZoneInfo(zone))
    text = f"{local:%A, %B} {local.day}, {local.year} at {local:%-I:%M %p} {local.tzname()}"
    if with_clinic and zone != settings.CLINIC_TIME_ZONE:
        clinic = start.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE))
        text += f" ({clinic:%-I:%M %p} {clinic.tzname()} clinic time)"
    return text


def format_time(start: dt.datetime, zone: str) -> str:
    local = start.astimezone(ZoneInfo(zone))
    return f"{local:%-I:%M %p}"


def previous_start(appointment) -> dt.datetime | None:
    """Where a moved appointment was: the latest "Moved from …" the booking service wrote
    (in the clinic's zone), for the "has moved" email to say the old time."""
    from django.utils import timezone

    # Every event, filtered here: an appointment has a handful, and the dispatcher's batch
    # has them already (prefetched for the .ics).
    moves = [event for event in appointment.events.all() if event.note.startswith("Moved from ")]
    for note in sorted(moves, key=lambda event: event.pk, reverse=True):
        try:
            naive = dt.datetime.strptime(note.note.removeprefix("Moved from "), "%Y-%m-%d %H:%M")
        except ValueError:
            continue
        return timezone.make_aware(naive, ZoneInfo(settings.CLINIC_TIME_ZONE))
    return None
