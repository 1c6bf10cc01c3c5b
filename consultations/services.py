"""Booking, rescheduling and cancelling. Transactions and locks live here.

The database is the last word: the provider row is locked, the slot re-checked, and on
PostgreSQL an exclusion constraint refuses any overlap the check could have missed.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core.models import ClinicSettings
from intake.models import Intake

from . import messages, selectors
from .models import (
    ONE_ACTIVE_INITIAL,
    Appointment,
    AppointmentEvent,
    AppointmentType,
    Location,
    Provider,
)


class BookingError(Exception):
    """A refusal the view shows as a message."""


class SlotUnavailable(BookingError):
    def __init__(self):
        super().__init__("That time was just taken — please pick another.")


class NotApproved(BookingError):
    def __init__(self):
        super().__init__("This appointment can be booked once the clinic has approved your intake.")


class AlreadyBooked(BookingError):
    def __init__(self):
        super().__init__(
            "You already have an initial consultation booked. You can move it instead."
        )


class TooLateToChange(BookingError):
    def __init__(self, phone):
        super().__init__(
            f"It is too close to the appointment to change it online. Please call us on {phone}."
        )


def _location(mode: str) -> Location:
    by_video = mode == AppointmentType.Mode.TELEHEALTH
    kind = Location.Kind.TELEHEALTH if by_video else Location.Kind.CLINIC
    location = Location.objects.filter(kind=kind).first()
    if location is None:
        raise BookingError("No location is set up for this kind of visit. Please call the clinic.")
    return location


def _check_slot(*, appointment_type, provider, start, now, exclude=None) -> None:
    day = timezone.localtime(start).date()
    free = selectors.available_slots(
        appointment_type=appointment_type,
        provider_ids=[provider.pk],
        start_date=day - dt.timedelta(days=1),
        end_date=day + dt.timedelta(days=1),
        now=now,
        exclude_appointment=exclude,
    )
    if not any(s.start == start and s.provider_id == provider.pk for s in free):
        raise SlotUnavailable


def _refused_by(error: IntegrityError) -> str:
    """The name of the constraint the database refused the row for ("" where not reported).

    PostgreSQL names it (psycopg's diag.constraint_name); SQLite only names the columns.
    """
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def _lock(provider: Provider, appointment_type: AppointmentType) -> None:
    """Serialise bookings per provider (and for chairs, per clinic) until commit."""
    Provider.objects.select_for_update().get(pk=provider.pk)
    if appointment_type.uses_chair:
        list(Location.objects.select_for_update().filter(kind=Location.Kind.CLINIC))


def _times(appointment_type: AppointmentType, start: dt.datetime) -> dict:
    end = start + appointment_type.duration
    return {
        "start": start,
        "end": end,
        "block_start": start - dt.timedelta(minutes=appointment_type.buffer_before_minutes),
        "block_end": end + dt.timedelta(minutes=appointment_type.buffer_after_minutes),
        "uses_chair": appointment_type.uses_chair,
        "chair_end": end + dt.timedelta(minutes=appointment_type.chair_recovery_minutes)
        if appointment_type.uses_chair
        else None,
    }


def approved_intake(patient) -> Intake | None:
    return Intake.objects.filter(patient=patient, status=Intake.Status.APPROVED).first()


def book_appointment(
    *,
    patient,
    appointment_type: AppointmentType,
    provider: Provider,
    start: dt.datetime,
    mode: str,
    actor,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a free slot, or raise SlotUnavailable: never two active bookings that overlap."""
    now = now or timezone.now()
    by_staff = actor != patient
    staff_only = appointment_type.bookable_by == AppointmentType.BookableBy.STAFF
    if not appointment_type.active or (not by_staff and staff_only):
        raise BookingError("This kind of appointment is booked by the clinic. Please call us.")
    if not appointment_type.allows(mode):
        raise BookingError("This appointment is not available as that kind of visit.")
    intake = approved_intake(patient)
    overridden = by_staff and override_reason.strip()
    if appointment_type.requires_approved_intake and intake is None and not overridden:
        raise NotApproved
    try:
        with transaction.atomic():
            _lock(provider, appointment_type)
            if (
                appointment_type.kind == AppointmentType.Kind.INITIAL
                and Appointment.objects.filter(
                    patient=patient,
                    kind=AppointmentType.Kind.INITIAL,
                    status=Appointment.Status.BOOKED,
                ).exists()
            ):
                raise AlreadyBooked
            _check_slot(appointment_type=appointment_type, provider=provider, start=start, now=now)
            appointment = Appointment.objects.create(
                patient=patient,
                provider=provider,
                appointment_type=appointment_type,
                kind=appointment_type.kind,
                location=_location(mode),
                mode=mode,
                intake=intake,
                approval_override_reason=override_reason.strip(),
                created_by=actor,
                **_times(appointment_type, start),
            )
            AppointmentEvent.objects.create(
                appointment=appointment,
                actor=actor,
                to_status=appointment.status,
                note=f"Approval overridden: {override_reason.strip()}" if override_reason else "",
            )
            messages.booking_changed(appointment=appointment, change="booked", now=now)
    except IntegrityError as error:
        # The exclusion constraint (or the one-initial-consultation rule) had the last word.
        # On SQLite (no exclusion constraint, no names) every refusal reads as a taken slot.
        if _refused_by(error) == ONE_ACTIVE_INITIAL:
            raise AlreadyBooked from error
        raise SlotUnavailable from error
    return appointment


def _window_check(appointment: Appointment, actor, now) -> None:
    if actor == appointment.patient:
        settings_row = ClinicSettings.load()
        if not appointment.is_cancellable_by_patient(now, settings_row.cancellation_window_hours):
            from django.conf import settings

            raise TooLateToChange(settings.CLINIC["phone"])


def reschedule_appointment(
    *,
    appointment: Appointment,
    start: dt.datetime,
    provider: Provider | None = None,
    actor,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booking to another free slot (same type); the old time is freed at once."""
    now = now or timezone.now()
    provider = provider or appointment.provider
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if locked.status != Appointment.Status.BOOKED:
                raise BookingError("Only a booked appointment can be moved.")
            _window_check(locked, actor, now)
            _lock(provider, locked.appointment_type)
            _check_slot(
                appointment_type=locked.appointment_type,
                provider=provider,
                start=start,
                now=now,
                exclude=locked,
            )
            old = timezone.localtime(locked.start)
            for field, value in _times(locked.appointment_type, start).items():
                setattr(locked, field, value)
            locked.provider = provider
            locked.save()
            AppointmentEvent.objects.create(
                appointment=locked,
                actor=actor,
                from_status=locked.status,
                to_status=locked.status,
                note=f"Moved from {old:%Y-%m-%d %H:%M}",
            )
            messages.booking_changed(appointment=locked, change="rescheduled", now=now)
    except IntegrityError as error:
        raise SlotUnavailable from error
    return locked


def cancel_appointment(
    *, appointment: Appointment, actor, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Cancel; the slot is free at once. Patients only until the cancellation window."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != Appointment.Status.BOOKED:
            raise BookingError("This appointment is not booked any more.")
        _window_check(locked, actor, now)
        by_patient = actor == locked.patient
        new = (
            Appointment.Status.CANCELLED_PATIENT
            if by_patient
            else Appointment.Status.CANCELLED_CLINIC
        )
        AppointmentEvent.objects.create(
            appointment=locked, actor=actor, from_status=locked.status, to_status=new, note=reason
        )
        locked.status = new
        locked.save(update_fields=["status", "updated_at"])
        messages.booking_changed(appointment=locked, change="cancelled", now=now)
    return locked


def set_video_link(*, appointment: Appointment, link: str, actor) -> None:
    """Store the telehealth link the patient will see (validated as an https URL)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    link = link.strip()
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError as error:
        raise BookingError("Enter the full video link, starting with https://") from error
    if appointment.mode != AppointmentType.Mode.TELEHEALTH:
        raise BookingError("Only video visits have a video link.")
    Appointment.objects.filter(pk=appointment.pk).update(video_link=link)
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=actor,
        from_status=appointment.status,
        to_status=appointment.status,
        note="Video link set",
    )
