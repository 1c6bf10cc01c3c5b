"""Messages about appointments, through the outbox: the confirmation now, reminders later.

Booking creates the reminders, rescheduling replaces them (new keys: the start is in the
key), cancelling cancels them. Texts hold a name, a time and a link; nothing clinical.
"""

import datetime as dt

from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.notifications import outbox
from clinic.notifications.models import ContactPreference, Message

from . import reminders
from .timefmt import patient_zone


def _offsets() -> tuple[reminders.ReminderOffset, ...]:
    rows = ClinicSettings.load().reminder_offsets or []
    offsets = []
    for row in rows:
        try:
            hours = float(row["hours"])
            channels = tuple(c for c in row["channels"] if c in ("email", "sms"))
        except (KeyError, TypeError, ValueError):
            continue  # a malformed row is ignored rather than stopping every reminder
        offsets.append(
            reminders.ReminderOffset(f"reminder_{hours:g}h", dt.timedelta(hours=hours), channels)
        )
    return tuple(offsets) or reminders.DEFAULT_OFFSETS


def _channels_allowed(patient) -> frozenset[str]:
    preference = ContactPreference.objects.filter(user=patient).first()
    return frozenset({"email", "sms"} if preference and preference.sms_allowed else {"email"})


def plan_for(appointment, *, now: dt.datetime) -> list[reminders.PlannedReminder]:
    return reminders.plan_reminders(
        appointment_id=appointment.pk,
        start=appointment.start,
        appointment_time_zone=appointment.provider.time_zone,
        patient_time_zone=patient_zone(appointment.patient),
        now=now,
        offsets=_offsets(),
        channels_allowed=_channels_allowed(appointment.patient),
    )


def booking_changed(*, appointment, change: str, now: dt.datetime | None = None) -> None:
    """Confirmation email now; reminders replaced (or cancelled) to match the appointment."""
    now = now or timezone.now()
    outbox.cancel_pending(
        Message.objects.filter(appointment=appointment, kind__startswith="reminder")
    )
    if change != "cancelled":
        for planned in plan_for(appointment, now=now):
            outbox.enqueue(
                kind=_template_kind(planned.kind),
                recipient=appointment.patient,
                channel=planned.channel,
                due_at=planned.due,
                key=planned.idempotency_key,
                appointment=appointment,
            )
    outbox.enqueue(
        kind=f"booking_{change}",
        recipient=appointment.patient,
        channel="email",
        due_at=timezone.now(),  # the confirmation goes at once, whatever clock planned it
        appointment=appointment,
        key=f"appt:{appointment.pk}:booking_{change}:{appointment.start.isoformat()}:{now.isoformat()}",
    )
    outbox.send_now_on_commit()


def _template_kind(kind: str) -> str:
    """Clinic-set offsets reuse the nearest of the three reminder texts."""
    hours = float(kind.removeprefix("reminder_").removesuffix("h"))
    return "reminder_2h" if hours < 12 else "reminder_24h" if hours < 48 else "reminder_72h"
