"""Booking emails: a name, a time, a place or link, and a link to manage it. Nothing clinical."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .ics import appointment_ics
from .timefmt import format_when, patient_zone

SUBJECTS = {
    "booked": "Your appointment is booked",
    "rescheduled": "Your appointment has moved",
    "cancelled": "Your appointment is cancelled",
}


def booking_changed(*, appointment, change: str) -> None:
    """Email the patient once the transaction commits, with an .ics file."""

    def send():
        link = settings.SITE_URL.rstrip("/") + reverse("consultations:detail", args=[appointment.pk])
        body = render_to_string(
            "emails/booking.txt",
            {"appointment": appointment, "change": change, "link": link, "clinic": settings.CLINIC,
             "when": format_when(appointment.start, patient_zone(appointment.patient))},
        )
        message = EmailMessage(SUBJECTS[change], body, to=[appointment.patient.email])
        message.attach("appointment.ics", appointment_ics(appointment, cancelled=change == "cancelled"),
                       "text/calendar")
        message.send()

    transaction.on_commit(send)
