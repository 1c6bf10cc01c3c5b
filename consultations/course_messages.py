"""Messages about a course of infusions: one confirmation for the whole series (a calendar
file per infusion), one when it is cancelled, and the day-before message for each infusion
asking the patient to arrange a driver home, with the clinic's preparation text.

Each infusion also gets the usual appointment reminders (messages.booking_changed with
confirm=False). Texts hold a name, times and a link; nothing clinical. Registered through
settings.MESSAGE_MODULES.
"""

import datetime as dt

from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.notifications import outbox
from clinic.notifications.kinds import MessageKind, Skip, absolute_url, once_per_batch
from clinic.notifications.models import Message

from . import course, messages
from .ics import appointment_ics
from .models import Appointment
from .timefmt import format_when, patient_zone

DAY_BEFORE_CODE = "infusion_day_before"


def _course_context(message) -> dict:
    # The row hangs on the course's first infusion; its context lists all of them (ids only).
    appointment = message.appointment
    if appointment is None:
        raise Skip("Appointment gone")
    ids = message.context.get("infusions") or [appointment.pk]
    infusions = list(
        Appointment.objects.filter(pk__in=ids, patient_id=appointment.patient_id).order_by("start")
    )
    zone = patient_zone(appointment.patient)
    return {
        "infusions": infusions,
        "times": [format_when(a.start, zone) for a in infusions],
        "link": absolute_url("consultations:list"),
        "headline": message.context.get("headline", "is booked"),
        "cancelled": message.context.get("cancelled", False),
    }


def _course_attachments(message, context) -> list:
    cancelled = context["cancelled"]
    return [
        (f"infusion-{n}.ics", appointment_ics(a, cancelled=cancelled), "text/calendar")
        for n, a in enumerate(context["infusions"], start=1)
    ]


COURSE_BOOKED = MessageKind(
    code="course_booked",
    label="Infusion series booked",
    subject=lambda context: f"Your infusion series {context['headline']}",
    templates={"email": "notifications/course.email.txt"},
    context=_course_context,
    attachments=_course_attachments,
)
COURSE_CANCELLED = MessageKind(
    code="course_cancelled",
    label="Infusion series cancelled",
    subject="Your infusion series is cancelled",
    templates={"email": "notifications/course.email.txt"},
    context=_course_context,
    attachments=_course_attachments,
)


def _day_before_context(message) -> dict:
    appointment = message.appointment
    if appointment is None:
        raise Skip("Appointment gone")
    if appointment.status != Appointment.Status.BOOKED:
        raise Skip(f"Appointment is {appointment.get_status_display().lower()}")
    return {
        "appointment": appointment,
        "when": format_when(appointment.start, patient_zone(appointment.patient)),
        "link": absolute_url("consultations:detail", appointment.pk),
        "preparation": once_per_batch("clinic", ClinicSettings.load).infusion_preparation.strip(),
    }


DAY_BEFORE = MessageKind(
    code=DAY_BEFORE_CODE,
    label="Infusion tomorrow: driver and preparation",
    subject="Tomorrow's infusion: please arrange a driver home",
    templates={
        "email": "notifications/infusion_day_before.email.txt",
        "sms": "notifications/infusion_day_before.sms.txt",
    },
    context=_day_before_context,
)

KINDS = [COURSE_BOOKED, COURSE_CANCELLED, DAY_BEFORE]


def plan_day_before(*, appointment: Appointment, now: dt.datetime) -> None:
    """The day-before message for one infusion (replacing any planned for an older time)."""
    cancel_day_before(appointment=appointment)
    due = course.day_before_due(appointment.start, appointment.provider.time_zone)
    if due <= now or due >= appointment.start:
        return
    for channel in sorted(messages._channels_allowed(appointment.patient)):
        outbox.enqueue(
            kind=DAY_BEFORE_CODE,
            recipient=appointment.patient,
            channel=channel,
            due_at=due,
            appointment=appointment,
            key=f"appt:{appointment.pk}:{DAY_BEFORE_CODE}:{channel}:{due.isoformat()}",
        )


def cancel_day_before(*, appointment: Appointment) -> None:
    outbox.cancel_pending(Message.objects.filter(appointment=appointment, kind=DAY_BEFORE_CODE))


def course_booked(*, course, infusions, now: dt.datetime, restored: bool = False) -> None:
    """Reminders and the day-before message for each infusion; one confirmation for all."""
    for infusion in infusions:
        messages.booking_changed(appointment=infusion, change="booked", now=now, confirm=False)
        plan_day_before(appointment=infusion, now=now)
    _confirm(course, infusions, COURSE_BOOKED, now, restored=restored)


def course_cancelled(*, course, infusions, now: dt.datetime) -> None:
    _confirm(course, infusions, COURSE_CANCELLED, now, cancelled=True)


def _confirm(course_row, infusions, kind, now, *, cancelled=False, restored=False) -> None:
    headline = "is cancelled" if cancelled else "is booked again" if restored else "is booked"
    outbox.enqueue(
        kind=kind.code,
        recipient=course_row.patient,
        channel="email",
        due_at=timezone.now(),
        appointment=infusions[0],
        key=f"course:{course_row.pk}:{kind.code}:{now.isoformat()}",
        context={
            "course": course_row.pk,
            "infusions": [a.pk for a in infusions],
            "headline": headline,
            "cancelled": cancelled,
        },
    )
    outbox.send_now_on_commit()
