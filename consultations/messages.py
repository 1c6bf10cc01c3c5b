"""Messages about appointments: what each says (its declaration) and when it is queued.

Booking sends a confirmation now and plans the reminders; rescheduling replaces them (new
keys: the start is in the key), cancelling cancels them, and undoing a cancellation plans
them again (the same keys: the outbox puts the cancelled rows back in the queue). Texts
hold a name, a time and a link; nothing clinical. Registered through settings.MESSAGE_MODULES.
"""

import datetime as dt

from django.utils import timezone

from clinic.core.models import ClinicSettings
from clinic.notifications import outbox
from clinic.notifications.kinds import MessageKind, Skip, absolute_url, once_per_batch
from clinic.notifications.models import ContactPreference, Message

from . import reminders
from .ics import appointment_ics
from .models import Appointment
from .timefmt import format_when, patient_zone, previous_start

HOUR = dt.timedelta(hours=1)

# --------------------------------------------------------------------- what they say


def _appointment_context(message) -> dict:
    appointment = message.appointment
    if appointment is None:
        raise Skip("Appointment gone")
    return {
        "appointment": appointment,
        "when": format_when(appointment.start, patient_zone(appointment.patient)),
        "link": absolute_url("consultations:detail", appointment.pk),
    }


def _booking(code: str, label: str, subject: str, headline: str) -> MessageKind:
    cancelled = code == "booking_cancelled"

    def context(message) -> dict:
        context = _appointment_context(message)
        moved = code == "booking_rescheduled" and previous_start(context["appointment"])
        zone = patient_zone(context["appointment"].patient)
        return {
            **context,
            "headline": headline,
            "cancelled": cancelled,
            "moved_from": moved and format_when(moved, zone, with_clinic=False),
            "book_link": absolute_url("consultations:book"),
        }

    def attachments(message, context) -> list:
        ics = appointment_ics(context["appointment"], cancelled=cancelled)
        return [("appointment.ics", ics, "text/calendar")]

    return MessageKind(
        code=code,
        label=label,
        subject=subject,
        templates={"email": "notifications/booking.email.txt"},
        context=context,
        attachments=attachments,
        prefetch=("appointment__events",),  # the .ics SEQUENCE counts them; a move reads one
    )


BOOKED = _booking("booking_booked", "Appointment booked", "Your appointment is booked", "is booked")
RESCHEDULED = _booking(
    "booking_rescheduled", "Appointment moved", "Your appointment has moved", "has moved"
)
CANCELLED = _booking(
    "booking_cancelled", "Appointment cancelled", "Your appointment is cancelled", "is cancelled"
)
# A cancellation the clinic undid: the patient was told it was off, so is told it is on.
RESTORED = _booking(
    "booking_restored",
    "Appointment booked again",
    "Your appointment is booked again",
    "is booked again (the cancellation was undone)",
)


def reminder_subject(hours: float) -> str:
    """Worded from the offset the clinic set: "tomorrow" only for exactly one day before
    (whole days are counted on the appointment's calendar, so 24 h is always the day before)."""
    if hours == 24:
        return "Reminder: your appointment tomorrow"
    if hours < 24 and hours % 24:
        unit = "hour" if hours == 1 else "hours"
        return f"Reminder: your appointment in {hours:g} {unit}"
    return "Reminder: your appointment"


def _reminder(code: str, label: str, hours: int) -> MessageKind:
    def context(message) -> dict:
        context = _appointment_context(message)
        appointment = context["appointment"]
        if appointment.status != Appointment.Status.BOOKED:
            raise Skip(f"Appointment is {appointment.get_status_display().lower()}")
        # Worded for the moment it is read: before the cancellation window the patient may
        # move or cancel online; inside it only the clinic can (a 24 h reminder with a 24 h
        # window, an SMS held back by quiet hours, a late retry).
        at = message.sent_at or max(message.due_at, timezone.now())
        window = dt.timedelta(
            hours=once_per_batch("clinic", ClinicSettings.load).cancellation_window_hours
        )
        options = reminders.patient_options(start=appointment.start, at=at, window=window)
        zone = patient_zone(appointment.patient)
        # Rows planned before the offset was recorded on them read their kind's own hours.
        return {
            **context,
            "hours": message.context.get("hours", hours),
            "change_online": options.change_online,
            "change_until": format_when(options.change_until, zone, with_clinic=False),
        }

    return MessageKind(
        code=code,
        label=label,
        subject=lambda context: reminder_subject(context["hours"]),
        templates={
            "email": "notifications/reminder.email.txt",
            "sms": "notifications/reminder.sms.txt",
        },
        context=context,
    )


REMINDER_FAR = _reminder("reminder_72h", "Appointment reminder (48 hours or more before)", 72)
REMINDER_DAY = _reminder("reminder_24h", "Appointment reminder (12 to 47 hours before)", 24)
REMINDER_SOON = _reminder("reminder_2h", "Appointment reminder (under 12 hours before)", 2)


def reminder_kind(hours: float) -> MessageKind:
    """A clinic-set offset is logged under the nearest of the three reminder kinds."""
    return REMINDER_SOON if hours < 12 else REMINDER_DAY if hours < 48 else REMINDER_FAR


# ------------------------------------------------------------------ outcome check-ins


def _check_in_context(message) -> dict:
    from .models import CheckIn

    check_in = CheckIn.objects.filter(pk=message.context.get("check_in")).first()
    if check_in is None:
        raise Skip("Check-in gone")
    if check_in.is_completed:
        raise Skip("Check-in already filled in")
    if check_in.closes_at is not None and timezone.now() >= check_in.closes_at:
        raise Skip("Check-in closed")
    zone = patient_zone(check_in.patient)
    return {
        "before_infusion": check_in.kind == CheckIn.Kind.PRE_INFUSION,
        "until": format_when(check_in.closes_at, zone, with_clinic=False)
        if check_in.closes_at
        else "",
        "link": absolute_url("consultations:checkin", check_in.pk),
    }


def _check_in_kind(code: str, label: str, subject: str, nudge: bool) -> MessageKind:
    def context(message) -> dict:
        return {**_check_in_context(message), "nudge": nudge}

    return MessageKind(
        code=code,
        label=label,
        subject=subject,
        templates={
            "email": "notifications/checkin.email.txt",
            "sms": "notifications/checkin.sms.txt",
        },
        context=context,
    )


CHECK_IN_DUE = _check_in_kind(
    "checkin_due", "Check-in ready", "A 2-minute check-in about how you are doing", False
)
CHECK_IN_NUDGE = _check_in_kind(
    "checkin_nudge", "Check-in reminder", "Reminder: your 2-minute check-in", True
)


def _booster_request_context(message) -> dict:
    from .models import BoosterRequest

    request = BoosterRequest.objects.filter(pk=message.context.get("booster_request")).first()
    if request is None or request.status != BoosterRequest.Status.OPEN:
        raise Skip("Booster request no longer open")
    return {"link": absolute_url("schedule:boosters")}


BOOSTER_REQUESTED = MessageKind(
    code="booster_requested",
    label="Booster requested (to staff)",
    subject="A patient asked for a booster infusion",
    templates={"email": "notifications/booster_requested.email.txt"},
    context=_booster_request_context,
)

KINDS = [
    BOOKED,
    RESCHEDULED,
    CANCELLED,
    RESTORED,
    REMINDER_FAR,
    REMINDER_DAY,
    REMINDER_SOON,
    CHECK_IN_DUE,
    CHECK_IN_NUDGE,
    BOOSTER_REQUESTED,
]

# ------------------------------------------------------------------ when they are queued


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


def booking_changed(
    *, appointment, change: str, now: dt.datetime | None = None, confirm: bool = True
) -> None:
    """Confirmation email now; reminders replaced (or cancelled) to match the appointment.

    `confirm=False`: reminders only (a course sends one confirmation for all its infusions).
    """
    now = now or timezone.now()
    reminder_codes = [kind.code for kind in (REMINDER_FAR, REMINDER_DAY, REMINDER_SOON)]
    outbox.cancel_pending(Message.objects.filter(appointment=appointment, kind__in=reminder_codes))
    if change != "cancelled":
        offsets = _offsets()
        hours = {offset.kind: offset.before / HOUR for offset in offsets}
        planned = reminders.plan_reminders(
            appointment_id=appointment.pk,
            start=appointment.start,
            appointment_time_zone=appointment.provider.time_zone,
            patient_time_zone=patient_zone(appointment.patient),
            now=now,
            offsets=offsets,
            channels_allowed=_channels_allowed(appointment.patient),
        )
        for reminder in planned:
            outbox.enqueue(
                kind=reminder_kind(hours[reminder.kind]).code,
                recipient=appointment.patient,
                channel=reminder.channel,
                due_at=reminder.due,
                key=reminder.idempotency_key,
                appointment=appointment,
                context={"hours": hours[reminder.kind]},
            )
    if not confirm:
        return
    kind = {
        "booked": BOOKED,
        "rescheduled": RESCHEDULED,
        "cancelled": CANCELLED,
        "restored": RESTORED,
    }[change]
    outbox.enqueue(
        kind=kind.code,
        recipient=appointment.patient,
        channel="email",
        due_at=timezone.now(),  # the confirmation goes at once, whatever clock planned it
        appointment=appointment,
        key=f"appt:{appointment.pk}:{kind.code}:{appointment.start.isoformat()}:{now.isoformat()}",
    )
    outbox.send_now_on_commit()


def _check_in_message(*, check_in, kind: MessageKind, due_at: dt.datetime, key: str) -> None:
    for channel in sorted(_channels_allowed(check_in.patient)):
        outbox.enqueue(
            kind=kind.code,
            recipient=check_in.patient,
            channel=channel,
            due_at=due_at,
            key=f"{key}:{channel}",
            appointment=check_in.appointment,
            context={"check_in": check_in.pk},  # an id: no answers, no scores
        )
    outbox.send_now_on_commit()


def check_in_due(*, check_in) -> None:
    """The "your check-in is ready" message at its due time (a moved one replaces it)."""
    from clinic.notifications.models import Message

    outbox.cancel_pending(
        Message.objects.filter(kind=CHECK_IN_DUE.code, context__check_in=check_in.pk)
    )
    _check_in_message(
        check_in=check_in,
        kind=CHECK_IN_DUE,
        due_at=check_in.due_at,
        key=f"checkin:{check_in.pk}:due:{check_in.due_at.isoformat()}",
    )


def check_in_nudge(*, check_in) -> None:
    """The one reminder for a check-in not filled in (the key makes a second one impossible)."""
    _check_in_message(
        check_in=check_in,
        kind=CHECK_IN_NUDGE,
        due_at=timezone.now(),
        key=f"checkin:{check_in.pk}:nudge",
    )


def cancel_check_in_messages(*, check_in_ids) -> None:
    """Filled in or no longer needed: its pending messages are not sent."""
    from clinic.notifications.models import Message

    for pk in check_in_ids:
        outbox.cancel_pending(
            Message.objects.filter(
                kind__in=[CHECK_IN_DUE.code, CHECK_IN_NUDGE.code], context__check_in=pk
            )
        )


def booster_requested(*, booster_request) -> None:
    """Tell the coordinators (they book) that a patient asked for a booster: a link only."""
    from clinic.accounts.models import User
    from clinic.accounts.roles import Role

    for person in User.objects.with_role(Role.COORDINATOR).filter(is_active=True):
        outbox.enqueue(
            kind=BOOSTER_REQUESTED.code,
            recipient=person,
            channel="email",
            due_at=timezone.now(),
            key=f"booster_request:{booster_request.pk}:staff:{person.pk}",
            context={"booster_request": booster_request.pk},
        )
    outbox.send_now_on_commit()
