"""Booking, rescheduling and cancelling. Transactions and locks live here.

The database is the last word: the provider row is locked, the slot re-checked, and on
PostgreSQL an exclusion constraint refuses any overlap the check could have missed.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import services as audit
from clinic.core.models import ClinicSettings
from intake.models import Intake

from . import availability as av
from . import eligibility, messages, selectors, status
from .models import (
    ONE_ACTIVE_INITIAL,
    Appointment,
    AppointmentEvent,
    AppointmentType,
    Chair,
    Location,
    Provider,
)


class BookingError(Exception):
    """A refusal the view shows as a message."""


class SlotUnavailable(BookingError):
    def __init__(self):
        super().__init__("That time was just taken — please pick another.")


class InfusionNotCovered(BookingError):
    """An infusion and its recovery would run outside opening hours or supervision."""

    MESSAGES = {
        av.CLOSED: (
            "The clinic is not open for the whole infusion and its recovery at that time. "
            "Please pick another time."
        ),
        av.UNSUPERVISED: (
            "No clinician who supervises infusions is on duty for the whole infusion and its "
            "recovery at that time. Please pick another time."
        ),
    }

    def __init__(self, refusal: str):
        self.refusal = refusal
        super().__init__(self.MESSAGES[refusal])


class NotApproved(BookingError):
    def __init__(self):
        super().__init__("This appointment can be booked once the clinic has approved your intake.")


class AlreadyBooked(BookingError):
    def __init__(self):
        super().__init__(
            "You already have an initial consultation booked. You can move it instead."
        )


class StatusChangeRefused(BookingError):
    """The transition table (status.py) does not allow this change now."""


class ReasonNeeded(BookingError):
    """This change needs a reason and none was given."""


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


def _check_slot(*, appointment_type, provider, start, now, exclude=None, notice=None) -> None:
    day = timezone.localtime(start).date()
    free = selectors.available_slots(
        appointment_type=appointment_type,
        provider_ids=[provider.pk],
        start_date=day - dt.timedelta(days=1),
        end_date=day + dt.timedelta(days=1),
        now=now,
        exclude_appointment=exclude,
        min_notice=notice,
    )
    if not any(s.start == start and s.provider_id == provider.pk for s in free):
        raise SlotUnavailable


# What staff may book that patients may not, each needing a recorded reason.
INSIDE_NOTICE = "inside_notice"
OUTSIDE_HOURS = "outside_hours"
EXCEPTION_LABELS = {
    INSIDE_NOTICE: "Inside the minimum notice",
    OUTSIDE_HOURS: "Outside working hours",
}
# How far ahead staff may enter a time of their own (the picker offers the type's horizon).
STAFF_HORIZON = dt.timedelta(days=730)


def staff_exceptions(
    *, appointment_type, provider, start: dt.datetime, now: dt.datetime, exclude=None
) -> list[str]:
    """Which patient rules a staff booking at `start` sets aside ([] for an ordinary time);
    raises SlotUnavailable for a time that is past, too far ahead or taken (buffers and
    chairs counted) whatever the rules."""
    if start <= now or start > now + STAFF_HORIZON:
        raise SlotUnavailable
    if selectors.time_is_taken(
        appointment_type=appointment_type, provider=provider, start=start, exclude=exclude
    ):
        raise SlotUnavailable
    # An infusion outside opening hours or supervision is never an exception staff may make.
    _chair_for(appointment_type=appointment_type, start=start, exclude=exclude)
    exceptions = []
    if start < now + dt.timedelta(hours=appointment_type.min_notice_hours):
        exceptions.append(INSIDE_NOTICE)
    end = start + appointment_type.duration
    if not selectors.within_hours(provider=provider, start=start, end=end):
        exceptions.append(OUTSIDE_HOURS)
    return exceptions


def _chair_for(*, appointment_type, start: dt.datetime, exclude=None) -> Chair | None:
    """The chair an infusion at `start` takes (None for other types); raises SlotUnavailable
    when every open chair is taken and InfusionNotCovered when it would run outside opening
    hours or supervision. Call it under _lock: the chair rows are locked then."""
    if not appointment_type.uses_chair:
        return None
    placement = selectors.place_infusion(
        appointment_type=appointment_type, start=start, exclude=exclude
    )
    if placement.chair_id is None:
        if placement.refusal in InfusionNotCovered.MESSAGES:
            raise InfusionNotCovered(placement.refusal)
        raise SlotUnavailable
    return Chair.objects.select_related("location").get(pk=placement.chair_id)


def _refused_by(error: IntegrityError) -> str:
    """The name of the constraint the database refused the row for ("" where not reported).

    PostgreSQL names it (psycopg's diag.constraint_name); SQLite only names the columns.
    """
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def _lock(provider: Provider, appointment_type: AppointmentType) -> None:
    """Serialise bookings per provider (and for chairs, per clinic) until commit.

    The chair rows are locked too, so an admin deactivating or removing a chair (who locks
    it first) and a booking choosing it take turns."""
    Provider.objects.select_for_update().get(pk=provider.pk)
    if appointment_type.uses_chair:
        list(Location.objects.select_for_update().filter(kind=Location.Kind.CLINIC))
        list(Chair.objects.select_for_update().order_by("pk"))


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


class NotEligible(BookingError):
    """The type's rule (who may book it, for which patients) refuses this booking."""


class ReasonRequired(ReasonNeeded):
    """A staff booking inside the notice or outside hours, without its reason."""

    def __init__(self, exceptions: list[str]):
        self.exceptions = exceptions
        labels = " and ".join(EXCEPTION_LABELS[e].lower() for e in exceptions)
        super().__init__(f"This time is {labels}: give the reason for booking it.")


def eligibility_for(*, patient, appointment_type: AppointmentType, by_staff: bool, history=None):
    """The type's rule applied to this patient (eligibility.check with her history; pass
    `history` from selectors.patient_history to check several types on one read)."""
    return eligibility.check(
        bookable_by=appointment_type.bookable_by,
        requires_approval=appointment_type.requires_approved_intake,
        history=history if history is not None else selectors.patient_history(patient),
        by_staff=by_staff,
        is_infusion=appointment_type.kind == AppointmentType.Kind.INFUSION,
    )


def _refuse_ineligible(verdict, *, by_staff: bool, override_reason: str) -> None:
    if verdict.code == "needs_approval":
        raise NotApproved
    if not verdict.allowed:
        reasons = eligibility.STAFF_REASONS if by_staff else eligibility.PATIENT_REASONS
        raise NotEligible(reasons[verdict.code])
    if verdict.needs_override and not override_reason:
        raise NotApproved


def _event_note(*, override_reason: str, exceptions: list[str], reason: str, warning: str) -> str:
    lines = [f"{EXCEPTION_LABELS[e]}: {reason}" for e in exceptions]
    if override_reason:
        lines.append(f"Approval overridden: {override_reason}")
    if warning:
        lines.append(f"Booked despite the warning: {warning}")
    return "\n".join(lines)


def book_appointment(
    *,
    patient,
    appointment_type: AppointmentType,
    provider: Provider,
    start: dt.datetime,
    mode: str,
    actor,
    override_reason: str = "",
    staff_reason: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a free slot, or raise SlotUnavailable: never two active bookings that overlap.

    Patients book free slots outside the minimum notice, within working hours, of types
    their history allows. Staff may also book inside the notice or outside hours, each
    with a `staff_reason` recorded on the appointment's event and in the audit trail.
    """
    now = now or timezone.now()
    by_staff = actor != patient
    if not appointment_type.active:
        raise BookingError("This kind of appointment is booked by the clinic. Please call us.")
    if not appointment_type.allows(mode):
        raise BookingError("This appointment is not available as that kind of visit.")
    override_reason = override_reason.strip() if by_staff else ""
    staff_reason = staff_reason.strip() if by_staff else ""
    verdict = eligibility_for(patient=patient, appointment_type=appointment_type, by_staff=by_staff)
    _refuse_ineligible(verdict, by_staff=by_staff, override_reason=override_reason)
    intake = approved_intake(patient)
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
            exceptions = []
            if by_staff:
                exceptions = staff_exceptions(
                    appointment_type=appointment_type, provider=provider, start=start, now=now
                )
                if exceptions and not staff_reason:
                    raise ReasonRequired(exceptions)
            else:
                _check_slot(
                    appointment_type=appointment_type, provider=provider, start=start, now=now
                )
            chair = _chair_for(appointment_type=appointment_type, start=start)
            appointment = Appointment.objects.create(
                patient=patient,
                provider=provider,
                appointment_type=appointment_type,
                kind=appointment_type.kind,
                location=chair.location if chair else _location(mode),
                chair=chair,
                mode=mode,
                intake=intake,
                approval_override_reason=override_reason if verdict.needs_override else "",
                created_by=actor,
                **_times(appointment_type, start),
            )
            AppointmentEvent.objects.create(
                appointment=appointment,
                actor=actor,
                to_status=appointment.status,
                note=_event_note(
                    override_reason=override_reason if verdict.needs_override else "",
                    exceptions=exceptions,
                    reason=staff_reason,
                    warning=verdict.warning,
                ),
            )
            if exceptions or verdict.warning:
                audit.record(
                    actor=actor,
                    action="appointment_booked_by_exception",
                    patient=patient,
                    target=appointment,
                    detail={
                        "exceptions": exceptions,
                        "reason": staff_reason,
                        "warning": verdict.warning,
                    },
                )
            messages.booking_changed(appointment=appointment, change="booked", now=now)
    except IntegrityError as error:
        # The exclusion constraint (or the one-initial-consultation rule) had the last word.
        # On SQLite (no exclusion constraint, no names) every refusal reads as a taken slot.
        if _refused_by(error) == ONE_ACTIVE_INITIAL:
            raise AlreadyBooked from error
        raise SlotUnavailable from error
    return appointment


def _facts(appointment: Appointment, actor, now, **extra) -> status.Facts:
    """What the transition table looks at, read from the (locked) appointment."""
    from django.conf import settings

    window = ClinicSettings.load().cancellation_window_hours
    return status.Facts(
        status=appointment.status,
        start=appointment.start,
        end=appointment.end,
        now=now,
        who=status.Who.PATIENT if actor == appointment.patient else status.Who.STAFF,
        zone=settings.CLINIC_TIME_ZONE,
        window=dt.timedelta(hours=window),
        **extra,
    )


def _decide(appointment: Appointment, action: str, actor, now, **kwargs) -> status.Change:
    """status.decide, its refusal turned into the message a patient or the desk reads."""
    from django.conf import settings

    facts = _facts(appointment, actor, now, **kwargs.pop("facts", {}))
    try:
        return status.decide(action, facts, **kwargs)
    except status.NotAllowed as refusal:
        if facts.who == status.Who.PATIENT and appointment.status == Appointment.Status.BOOKED:
            raise TooLateToChange(settings.CLINIC["phone"]) from refusal
        raise StatusChangeRefused(str(refusal)) from refusal


def _record(locked: Appointment, change: status.Change, *, actor, reason="", note="") -> None:
    AppointmentEvent.objects.create(
        appointment=locked,
        actor=actor,
        from_status=change.from_status,
        to_status=change.to_status,
        action=change.action,
        reason=reason,
        note=note,
    )
    locked.status = change.to_status
    locked.save(update_fields=["status", "late_cancellation", "updated_at"])


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
    if appointment.course_id is not None:
        # An infusion of a course keeps the course's rules (free days between, weekdays,
        # its window) whichever page moves it. Imported here: course_services builds on
        # this module.
        from consultations import course_services

        return course_services.move_infusion(
            appointment=appointment, start=start, actor=actor, now=now
        )
    provider = provider or appointment.provider
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            _decide(locked, status.Action.MOVE, actor, now)
            _lock(provider, locked.appointment_type)
            _check_slot(
                appointment_type=locked.appointment_type,
                provider=provider,
                start=start,
                now=now,
                exclude=locked,
            )
            chair = _chair_for(
                appointment_type=locked.appointment_type, start=start, exclude=locked
            )
            old = timezone.localtime(locked.start)
            for field, value in _times(locked.appointment_type, start).items():
                setattr(locked, field, value)
            locked.provider = provider
            if chair is not None:
                locked.chair, locked.location = chair, chair.location
            locked.save()
            AppointmentEvent.objects.create(
                appointment=locked,
                actor=actor,
                from_status=locked.status,
                to_status=locked.status,
                action=status.Action.MOVE,
                note=f"Moved from {old:%Y-%m-%d %H:%M}",
            )
            messages.booking_changed(appointment=locked, change="rescheduled", now=now)
    except IntegrityError as error:
        raise SlotUnavailable from error
    return locked


def cancel_appointment(
    *,
    appointment: Appointment,
    actor,
    reason: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel by the rules of status.py; the slot is free at once and the reminders stop.

    `reason` is a code from status.CANCEL_REASONS; it decides whose cancellation it is, and
    so whether it counts as a late one. Left out, it is the patient's own request when the
    patient cancels and the clinic's otherwise (the staff page always asks for one).
    """
    now = now or timezone.now()
    by_patient = actor == appointment.patient
    reason = reason or ("patient_asked" if by_patient else "clinic")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        change = _decide(locked, status.Action.CANCEL, actor, now, reason=reason)
        if problem := status.reason_problem(status.Action.CANCEL, reason, note):
            raise ReasonNeeded(problem)
        locked.late_cancellation = change.late_cancellation
        _record(locked, change, actor=actor, reason=reason, note=note.strip())
        messages.booking_changed(appointment=locked, change="cancelled", now=now)
    appointment.status = locked.status
    return locked


def record_visit(
    *,
    appointment: Appointment,
    action: str,
    actor,
    reason: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Check in, completed or no-show by the rules of status.py (a no-show needs a reason)."""
    now = now or timezone.now()
    if action not in (status.Action.CHECK_IN, status.Action.COMPLETE, status.Action.NO_SHOW):
        raise StatusChangeRefused("That is not something this button can do.")
    with transaction.atomic():
        # Re-read under a lock: two front-desk screens may press buttons at the same time.
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        change = _decide(locked, action, actor, now)
        if problem := status.reason_problem(action, reason, note):
            raise ReasonNeeded(problem)
        _record(locked, change, actor=actor, reason=reason, note=note.strip())
    appointment.status = locked.status
    return locked


def last_status_change(appointment: Appointment) -> AppointmentEvent | None:
    """The event that set the current status (None for a never-changed booking)."""
    return (
        appointment.events.exclude(from_status="")
        .exclude(from_status=F("to_status"))
        .order_by("created_at", "pk")
        .last()
    )


def undo_facts(appointment: Appointment, event: AppointmentEvent | None) -> dict:
    """What status.decide needs to know about the last change, for an undo."""
    if event is None or event.to_status != appointment.status:
        return {"previous": None}
    return {
        "previous": event.from_status,
        "changed_at": event.created_at,
        "last_was_undo": event.action == status.Action.UNDO,
    }


def preview_change(
    *, appointment: Appointment, action: str, actor, reason: str = "", now=None
) -> status.Change:
    """What `action` would do now, writing nothing; StatusChangeRefused says why not."""
    now = now or timezone.now()
    facts = (
        undo_facts(appointment, last_status_change(appointment))
        if action == status.Action.UNDO
        else {}
    )
    return _decide(appointment, action, actor, now, facts=facts, reason=reason)


class SlotTaken(StatusChangeRefused):
    def __init__(self):
        super().__init__(
            "That time has been given to someone else since the cancellation, so it cannot "
            "be undone. Book the patient a new time instead."
        )


def _time_still_free(locked: Appointment) -> Chair | None:
    """The cancelled appointment's time is still free: for a consultation its provider's, for
    an infusion a chair (which leaves its clinician free): its own if nobody holds it now,
    else another free one (returned)."""
    if not locked.uses_chair:
        if (
            Appointment.objects.holding_provider()
            .exclude(pk=locked.pk)
            .filter(
                provider=locked.provider,
                block_start__lt=locked.block_end,
                block_end__gt=locked.block_start,
            )
            .exists()
        ):
            raise SlotTaken
        return None
    own = locked.chair
    if (
        own is not None
        and own.active
        and not Appointment.objects.active()
        .exclude(pk=locked.pk)
        .filter(chair=own, start__lt=locked.chair_end, chair_end__gt=locked.start)
        .exists()
    ):
        return own
    try:
        return _chair_for(appointment_type=locked.appointment_type, start=locked.start)
    except BookingError as error:
        raise SlotTaken from error


def _another_initial(locked: Appointment) -> bool:
    return (
        locked.kind == AppointmentType.Kind.INITIAL
        and Appointment.objects.filter(
            patient=locked.patient,
            kind=AppointmentType.Kind.INITIAL,
            status=Appointment.Status.BOOKED,
        )
        .exclude(pk=locked.pk)
        .exists()
    )


def undo_status_change(
    *, appointment: Appointment, actor, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Put back the status before the last change (within minutes, or later with a reason).

    An undone cancellation takes its time back only if nobody has it now (the lock, the
    check, then the exclusion constraint), and its reminders are planned again.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            facts = undo_facts(locked, last_status_change(locked))
            change = _decide(locked, status.Action.UNDO, actor, now, facts=facts)
            if change.needs_reason and not reason.strip():
                raise ReasonNeeded(
                    "It is more than 10 minutes since that change: say why it is undone."
                )
            restoring = locked.status in status.CANCELLED
            if restoring:
                _lock(locked.provider, locked.appointment_type)
                chair = _time_still_free(locked)
                if chair is not None and chair.pk != locked.chair_id:
                    locked.chair, locked.location = chair, chair.location
                    locked.save(update_fields=["chair", "location", "updated_at"])
                if _another_initial(locked):
                    raise StatusChangeRefused(
                        "The patient has booked another initial consultation since; "
                        "this one cannot be put back."
                    )
            locked.late_cancellation = False
            _record(locked, change, actor=actor, note=reason.strip())
            if restoring:
                messages.booking_changed(appointment=locked, change="restored", now=now)
    except IntegrityError as error:
        if _refused_by(error) == ONE_ACTIVE_INITIAL:
            raise StatusChangeRefused(
                "The patient has booked another initial consultation since; "
                "this one cannot be put back."
            ) from error
        raise SlotTaken from error
    appointment.status = locked.status
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
