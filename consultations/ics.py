"""Calendar files (icalendar) with the provider's time zone as TZID.

A booking is METHOD:PUBLISH; a cancellation is METHOD:CANCEL as RFC 5546 §3.2.5 asks: the
same UID, ORGANIZER present, SEQUENCE above the last one sent, STATUS:CANCELLED. The title
is the clinic's short name and the visit type, never "ketamine" (it shows on lock screens).
"""

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText

REMINDER_BEFORE = dt.timedelta(hours=2)
_KETAMINE = re.compile(r"\s*\bketamine\b\s*", re.IGNORECASE)


def event_title(type_name: str, clinic_short_name: str) -> str:
    """ "Riverside Clinic: Infusion" from "Ketamine infusion"."""
    visit = _KETAMINE.sub(" ", type_name).strip() or "Appointment"
    return f"{clinic_short_name}: {visit[0].upper()}{visit[1:]}"


def _sequence(appointment) -> int:
    # Each change (booked, moved, cancelled, video link) is one event row: the count only
    # grows, so every file sent after a change carries a higher SEQUENCE than the one before.
    return max(appointment.events.count() - 1, 0)


def _where(appointment) -> str:
    if appointment.mode == "telehealth":
        return "Video visit (link in your portal)"
    return appointment.location.address or appointment.location.name


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{settings.CLINIC['email']}")
    organizer.params["cn"] = vText(settings.CLINIC["name"])
    return organizer


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> bytes:
    """The VTIMEZONE icalendar's add_missing_timezones() adds (transitions 1970 to 2038),
    as text, made once a zone per process: making and writing it out takes longer than all
    the rest of a file. Empty for a zone icalendar does not know (it adds none then)."""
    try:
        return Timezone.from_tzid(tzid).to_ical()
    except ValueError:
        return b""


def appointment_ics(appointment, *, cancelled: bool = False) -> bytes:
    zone = ZoneInfo(appointment.provider.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{settings.ALLOWED_HOSTS[0]}")
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    event.add(
        "summary", event_title(appointment.appointment_type.name, settings.CLINIC["short_name"])
    )
    event.add("organizer", _organizer())
    event.add("location", _where(appointment))
    event.add(
        "url",
        settings.SITE_URL.rstrip("/") + reverse("consultations:detail", args=[appointment.pk]),
    )
    event.add("sequence", _sequence(appointment))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event_title("appointment", settings.CLINIC["short_name"]))
        alarm.add("trigger", -REMINDER_BEFORE)
        event.add_component(alarm)
    calendar.add_component(event)
    # The bytes add_missing_timezones() then to_ical() would give: the zones the event
    # names (never UTC), before the event.
    zones = b"".join(_vtimezone(tzid) for tzid in sorted(calendar.get_missing_tzids()))
    return calendar.to_ical().replace(b"BEGIN:VEVENT\r\n", zones + b"BEGIN:VEVENT\r\n", 1)
