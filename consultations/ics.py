"""Calendar files (icalendar) with the provider's time zone as TZID."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event


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
    event.add("summary", f"{appointment.appointment_type.name} — {settings.CLINIC['name']}")
    where = (
        "Video visit (link in your portal)"
        if appointment.mode == "telehealth"
        else appointment.location.address or appointment.location.name
    )
    event.add("location", where)
    event.add(
        "url",
        settings.SITE_URL.rstrip("/") + reverse("consultations:detail", args=[appointment.pk]),
    )
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
