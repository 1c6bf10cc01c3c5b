"""Planning, booking, moving and cancelling a course of infusions.

A series is booked whole or not at all: under the clinic's chair lock (the one single
infusion bookings take too) the plan is re-checked against fresh inputs, then the course
and every infusion are written in one transaction; on PostgreSQL the chair and provider
exclusion constraints have the last word. A lost race raises SeriesTaken with a fresh plan,
so the page can say so plainly and show new times at once.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.audit import services as audit
from clinic.core.models import ClinicSettings

from . import booster_services, course, course_messages, course_selectors, messages, status
from .models import Appointment, AppointmentEvent, ConsultationOutcome, Course, Location
from .selectors import local_today
from .services import (
    BookingError,
    ReasonNeeded,
    StatusChangeRefused,
    _decide,
    _record,
    approved_intake,
)

DEFAULT_GAP_DAYS = 1
UNDO_WINDOW = status.UNDO_WITHOUT_REASON
COURSE_CANCELLED_NOTE = "Course cancelled."


class NotReadyForCourse(BookingError):
    """The patient's latest consultation outcome is not "proceed"."""

    def __init__(self):
        super().__init__(
            "A course can be planned only after a consultation whose outcome is "
            "“proceed to a course of infusions”."
        )


class SeriesTaken(BookingError):
    """Someone booked one of these times first: nothing was booked; `plan` has new times."""

    def __init__(self, problem: str, plan: course.Plan):
        super().__init__(
            "Someone else booked one of these times a moment ago, so nothing was booked "
            f"({problem.rstrip('.')}). Here are new times."
        )
        self.plan = plan


class MoveRefused(BookingError):
    pass


def preferred_times(patient) -> frozenset[str]:
    """The intake's "Which times of day suit you?" answer, as planner periods."""
    intake = approved_intake(patient)
    answers = (intake.answers or {}) if intake else {}
    chosen = answers.get("preferred_times") or []
    return frozenset(t for t in chosen if t in (course.MORNING, course.MIDDAY, course.AFTERNOON))


_READ = object()  # "not read yet": read it here (None is an answer: no infusion type)


def default_rules(
    *, patient, now: dt.datetime, count: int | None = None, infusion=_READ
) -> course.SeriesRules:
    """The clinic's defaults: count and window from clinic settings, times from the intake.
    `infusion`: the infusion type, when already read (None: there is none)."""
    clinic = ClinicSettings.load()
    if infusion is _READ:
        infusion = course_selectors.infusion_type()
    notice = dt.timedelta(hours=infusion.min_notice_hours if infusion else 24)
    return course.SeriesRules(
        count=count or clinic.course_infusions,
        # The first whole day after the notice: a notice ending mid-afternoon would
        # otherwise use up the window's first day without room for an infusion.
        first_date=local_today(now + notice) + dt.timedelta(days=1),
        window_days=clinic.course_window_days,
        min_gap_days=DEFAULT_GAP_DAYS,
        preferred_times=preferred_times(patient),
    )


def _inputs(*, patient, rules: course.SeriesRules, now, exclude_ids=(), appointment_type=_READ):
    if appointment_type is _READ:
        appointment_type = course_selectors.infusion_type()
    location = course_selectors.infusion_location()
    if appointment_type is None or location is None:
        raise BookingError("No infusion type or no location with chairs is set up.")
    inputs = course_selectors.plan_inputs(
        patient=patient,
        appointment_type=appointment_type,
        location=location,
        first=rules.first_date,
        last=rules.last_date,
        now=now,
        exclude_ids=exclude_ids,
    )
    return appointment_type, location, inputs


def plan_course(
    *, patient, rules: course.SeriesRules, now: dt.datetime | None = None, infusion=_READ
):
    """The proposal and two alternatives for this patient, or why nothing fits (no writes).
    `infusion`: the infusion type, when already read (None: there is none)."""
    now = now or timezone.now()
    _, _, inputs = _inputs(patient=patient, rules=rules, now=now, appointment_type=infusion)
    return course.plan_series(rules, inputs)


def _ready(patient) -> ConsultationOutcome:
    outcome = course_selectors.latest_outcome(patient)
    if outcome is None or not outcome.lets_staff_plan:
        raise NotReadyForCourse
    return outcome


def _lock_chairs() -> None:
    """The lock every chair booking takes (services._lock): one at a time per clinic."""
    list(Location.objects.select_for_update().filter(kind=Location.Kind.CLINIC))


def _recheck(inputs: course.PlanInputs, series: course.Series) -> str:
    return course.series_problem(inputs, series.infusions)


def _constraints(rules: course.SeriesRules) -> dict:
    return {
        "first_date": rules.first_date.isoformat(),
        "weekdays_only": rules.weekdays_only,
        "min_gap_days": rules.min_gap_days,
        "preferred_times": sorted(rules.preferred_times),
    }


def rules_of(course_row: Course) -> course.SeriesRules:
    """The rules a booked course was planned with (for moving one of its infusions)."""
    c = course_row.constraints or {}
    first = c.get("first_date")
    return course.SeriesRules(
        count=course_row.planned_count,
        first_date=dt.date.fromisoformat(first) if first else course_row.created_at.date(),
        window_days=course_row.window_days,
        weekdays_only=c.get("weekdays_only", True),
        min_gap_days=c.get("min_gap_days", DEFAULT_GAP_DAYS),
        preferred_times=frozenset(c.get("preferred_times", ())),
    )


def book_course(
    *,
    patient,
    series: course.Series,
    rules: course.SeriesRules,
    actor,
    kind: str = Course.Kind.SERIES,
    parent: Course | None = None,
    now: dt.datetime | None = None,
) -> Course:
    """Book the course and all its infusions in one transaction, or none (SeriesTaken)."""
    now = now or timezone.now()
    outcome = _ready(patient)
    if len(series.infusions) != rules.count:
        raise BookingError("The plan does not have the number of infusions asked for.")
    intake = approved_intake(patient)
    problem = ""
    try:
        with transaction.atomic():
            _lock_chairs()
            appointment_type, location, inputs = _inputs(patient=patient, rules=rules, now=now)
            if problem := _recheck(inputs, series):
                raise _Lost
            course_row = Course.objects.create(
                patient=patient,
                outcome=outcome,
                parent=parent,
                kind=kind,
                planned_count=rules.count,
                window_days=rules.window_days,
                constraints=_constraints(rules),
                created_by=actor,
            )
            infusions = []
            for planned in series.infusions:
                appointment = Appointment.objects.create(
                    patient=patient,
                    provider_id=planned.provider_id,
                    appointment_type=appointment_type,
                    kind=appointment_type.kind,
                    location=location,
                    mode="in_person",
                    start=planned.start,
                    end=planned.end,
                    block_start=planned.start
                    - dt.timedelta(minutes=appointment_type.buffer_before_minutes),
                    block_end=planned.end
                    + dt.timedelta(minutes=appointment_type.buffer_after_minutes),
                    uses_chair=True,
                    chair_id=planned.chair_id,
                    chair_end=planned.chair_end,
                    course=course_row,
                    intake=intake,
                    created_by=actor,
                )
                AppointmentEvent.objects.create(
                    appointment=appointment,
                    actor=actor,
                    to_status=appointment.status,
                    note=f"Booked as part of course #{course_row.pk}",
                )
                infusions.append(appointment)
            audit.record(
                actor=actor,
                action="course_booked",
                patient=patient,
                target=course_row,
                detail={"infusions": len(infusions), "kind": kind},
            )
            if kind == Course.Kind.BOOSTER:
                booster_services.mark_booster_booked(
                    patient=patient, booster=course_row, actor=actor
                )
            course_messages.course_booked(course=course_row, infusions=infusions, now=now)
    except (_Lost, IntegrityError) as error:
        # Re-planned outside the failed transaction, so the page shows times free now.
        fresh = plan_course(patient=patient, rules=rules, now=now)
        raise SeriesTaken(problem or "a chair or clinician was just taken", fresh) from error
    return course_row


class _Lost(Exception):
    """The re-check under the lock found a planned time taken."""


# ------------------------------------------------------------------------ moving one


def move_infusion(
    *, appointment: Appointment, start: dt.datetime, actor, now: dt.datetime | None = None
) -> Appointment:
    """Move one infusion of a course: the series' rules, the chair and a supervisor re-checked."""
    now = now or timezone.now()
    course_row = appointment.course
    if course_row is None:
        raise MoveRefused("This appointment is not part of a course.")
    rules = rules_of(course_row)
    others = [
        a.start for a in course_row.infusions.active().exclude(pk=appointment.pk).only("start")
    ]
    if problem := course.move_problem(rules, course_selectors.clinic_zone_name(), others, start):
        raise MoveRefused(problem)
    with transaction.atomic():
        _lock_chairs()
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        change = _decide(locked, status.Action.MOVE, actor, now)
        day = course.SeriesRules(count=1, first_date=local_today(start), window_days=1)
        appointment_type, _, inputs = _inputs(
            patient=locked.patient, rules=day, now=now, exclude_ids=[locked.pk]
        )
        spec = inputs.infusion
        chosen = _free_chair_and_supervisor(
            inputs, start, prefer=(locked.chair_id, locked.provider_id)
        )
        if chosen is None:
            raise MoveRefused(
                "No chair and supervising clinician are free for the whole infusion and "
                "recovery at that time."
            )
        old = locked.start
        locked.start, locked.end = start, start + spec.duration
        locked.chair_end = locked.end + spec.recovery
        locked.block_start = start - spec.buffer_before
        locked.block_end = locked.end + spec.buffer_after
        locked.chair_id, locked.provider_id = chosen
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as error:
            raise MoveRefused("That time was just taken. Please pick another.") from error
        AppointmentEvent.objects.create(
            appointment=locked,
            actor=actor,
            from_status=change.from_status,
            to_status=change.to_status,
            action=status.Action.MOVE,
            note=f"Moved from {old:%Y-%m-%d %H:%M} (course #{course_row.pk})",
        )
        audit.record(
            actor=actor, action="course_infusion_moved", patient=locked.patient, target=locked
        )
        messages.booking_changed(appointment=locked, change="rescheduled", now=now)
        course_messages.plan_day_before(appointment=locked, now=now)
    return locked


def _free_chair_and_supervisor(inputs: course.PlanInputs, start, *, prefer):
    """The (chair, supervisor) for an infusion at `start`: the current ones if still free."""
    spec = inputs.infusion
    end = start + spec.duration
    chairs = sorted(inputs.chair_ids, key=lambda c: c != prefer[0])
    supervisors = sorted(inputs.supervisors, key=lambda p: p != prefer[1])
    for provider_id in supervisors:
        for chair_id in chairs:
            candidate = course.PlannedInfusion(
                start, end, end + spec.recovery, chair_id, provider_id
            )
            if not course.series_problem(inputs, [candidate]):
                return chair_id, provider_id
    return None


# ------------------------------------------------------------------------ cancelling


def cancel_course(
    *, course_row: Course, actor, reason: str, note: str = "", now: dt.datetime | None = None
) -> list[Appointment]:
    """Cancel the course and its future infusions (and their reminders), recorded with a reason."""
    now = now or timezone.now()
    if problem := status.reason_problem(status.Action.CANCEL, reason, note):
        raise ReasonNeeded(problem)
    with transaction.atomic():
        locked_course = Course.objects.select_for_update().get(pk=course_row.pk)
        if locked_course.status == Course.Status.CANCELLED:
            raise StatusChangeRefused("This course is already cancelled.")
        cancelled = []
        future = locked_course.infusions.select_for_update().filter(
            status=Appointment.Status.BOOKED, start__gt=now
        )
        for infusion in future:
            change = _decide(infusion, status.Action.CANCEL, actor, now, reason=reason)
            infusion.late_cancellation = change.late_cancellation
            _record(
                infusion,
                change,
                actor=actor,
                reason=reason,
                note=f"{COURSE_CANCELLED_NOTE} {note}".strip(),
            )
            messages.booking_changed(
                appointment=infusion, change="cancelled", now=now, confirm=False
            )
            course_messages.cancel_day_before(appointment=infusion)
            cancelled.append(infusion)
        locked_course.status = Course.Status.CANCELLED
        locked_course.cancelled_at = now
        label = status.reason_for(status.Action.CANCEL, reason).label
        locked_course.cancel_reason = f"{label}: {note.strip()}"[:200] if note.strip() else label
        locked_course.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit.record(
            actor=actor,
            action="course_cancelled",
            patient=locked_course.patient,
            target=locked_course,
            detail={"reason": reason, "infusions_cancelled": len(cancelled)},
        )
        if cancelled:
            course_messages.course_cancelled(course=locked_course, infusions=cancelled, now=now)
    course_row.status = locked_course.status
    return cancelled


def undo_cancel_course(*, course_row: Course, actor, now: dt.datetime | None = None) -> Course:
    """Within minutes of cancelling: the course and its infusions are back, if still free."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_chairs()
            locked = Course.objects.select_for_update().get(pk=course_row.pk)
            if locked.status != Course.Status.CANCELLED or locked.cancelled_at is None:
                raise StatusChangeRefused("This course is not cancelled.")
            if now - locked.cancelled_at > UNDO_WINDOW:
                raise StatusChangeRefused(
                    "It is more than 10 minutes since the course was cancelled: book a new one."
                )
            infusions = list(
                locked.infusions.select_for_update().filter(
                    status__in=status.CANCELLED,
                    start__gt=now,
                    # The ones the course's cancellation cancelled, not one cancelled before.
                    pk__in=AppointmentEvent.objects.filter(
                        action=status.Action.CANCEL, note__startswith=COURSE_CANCELLED_NOTE
                    ).values("appointment_id"),
                )
            )
            for infusion in infusions:
                # The chair is what an infusion holds; its supervisor may be busy meanwhile.
                if (
                    Appointment.objects.active()
                    .filter(
                        chair_id=infusion.chair_id,
                        start__lt=infusion.chair_end,
                        chair_end__gt=infusion.start,
                    )
                    .exists()
                ):
                    raise StatusChangeRefused(
                        "A chair has been booked since the cancellation, so it cannot be "
                        "undone. Plan a new course instead."
                    )
                previous = infusion.status
                infusion.status = Appointment.Status.BOOKED
                infusion.late_cancellation = False
                infusion.save(update_fields=["status", "late_cancellation", "updated_at"])
                AppointmentEvent.objects.create(
                    appointment=infusion,
                    actor=actor,
                    from_status=previous,
                    to_status=infusion.status,
                    action=status.Action.UNDO,
                    note="Course cancellation undone",
                )
                messages.booking_changed(
                    appointment=infusion, change="restored", now=now, confirm=False
                )
                course_messages.plan_day_before(appointment=infusion, now=now)
            locked.status = Course.Status.ACTIVE
            locked.cancelled_at = None
            locked.cancel_reason = ""
            locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            audit.record(
                actor=actor, action="course_cancel_undone", patient=locked.patient, target=locked
            )
            if infusions:
                course_messages.course_booked(
                    course=locked, infusions=infusions, now=now, restored=True
                )
    except IntegrityError as error:
        raise StatusChangeRefused("A chair was booked since the cancellation.") from error
    return locked
