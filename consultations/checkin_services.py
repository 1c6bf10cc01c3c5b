"""Outcome check-ins: creating the due ones, nudging once, and recording the answers.

The timing rules are pure (checkin_schedule.py); this module loads the courses once,
creates the missing rows (the unique constraints make a second run a no-op) and queues
the messages, which hold a name, a time and a link. Answers are scored with the intake's
own scoring, and a PHQ-9 item 9 above 0 raises the intake's urgent alert.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.audit.models import Action
from clinic.audit.services import record, record_changes
from intake import scoring
from intake.models import Intake, UrgentAlert
from intake.services import raise_urgent_alert

from . import checkin_schedule as schedule
from . import messages
from .models import Appointment, AppointmentType, CheckIn, Course
from .timefmt import patient_zone


class CheckInError(Exception):
    pass


class CheckInClosed(CheckInError):
    """Past its closing time: a missed check-in stays missed."""


class CheckInNotDue(CheckInError):
    """Not open yet."""


# ------------------------------------------------------------------ creating the rows


def _infusions_by_course(courses) -> dict[int, list[schedule.Infusion]]:
    rows = Appointment.objects.filter(
        course__in=courses, kind=AppointmentType.Kind.INFUSION
    ).values_list("course_id", "pk", "start", "end", "status")
    by_course: dict[int, list[schedule.Infusion]] = {}
    for course_id, pk, start, end, status in rows:
        by_course.setdefault(course_id, []).append(schedule.Infusion(pk, start, end, status))
    return by_course


def _create(**fields) -> CheckIn | None:
    """Insert one check-in, or None when it already exists (the constraint says so)."""
    try:
        with transaction.atomic():
            return CheckIn.objects.create(**fields)
    except IntegrityError:
        return None


def _superseded_at(courses: list[Course], infusions: dict) -> dict[int, dt.datetime]:
    """Each course's successor's first infusion: the clock restarts with a new course."""
    firsts = {}
    for course in courses:
        starts = [i.start for i in infusions.get(course.pk, []) if "cancelled" not in i.status]
        if starts:
            firsts[course.pk] = min(starts)
    by_patient: dict[int, list[Course]] = {}
    for course in courses:
        if course.pk in firsts:
            by_patient.setdefault(course.patient_id, []).append(course)
    superseded = {}
    for own in by_patient.values():
        own.sort(key=lambda c: firsts[c.pk])
        for earlier, later in zip(own, own[1:], strict=False):
            superseded[earlier.pk] = firsts[later.pk]
    return superseded


def schedule_check_ins(*, now: dt.datetime | None = None, patient=None) -> int:
    """Create every check-in now due (run twice: created once); returns how many were new.

    Pre-infusion rows are created as soon as the infusion is booked (their message waits
    for the due time in the outbox) and follow the infusion when it moves; follow-ups are
    created when they fall due, so a later course can take over the clock.
    """
    now = now or timezone.now()
    # A cancelled course still has the infusions it gave, so its follow-ups count too.
    courses = Course.objects.all()
    if patient is not None:
        courses = courses.filter(patient=patient)
    courses = list(courses.select_related("patient"))
    infusions = _infusions_by_course(courses)
    superseded = _superseded_at(courses, infusions)
    existing = {
        (c.course_id, c.kind, c.appointment_id, c.due_at): c
        for c in CheckIn.objects.filter(course__in=courses)
    }
    pre_by_appointment = {
        c.appointment_id: c for c in existing.values() if c.kind == CheckIn.Kind.PRE_INFUSION
    }
    zones: dict[int, str] = {}
    created = 0
    for course in courses:
        own = infusions.get(course.pk, [])
        for planned in schedule.pre_infusion(own, now=now):
            current = pre_by_appointment.get(planned.appointment_id)
            if current is not None:
                _follow_the_infusion(current, planned)
                continue
            row = _create(
                patient_id=course.patient_id,
                course=course,
                appointment_id=planned.appointment_id,
                kind=planned.kind,
                due_at=planned.due_at,
                closes_at=planned.closes_at,
            )
            created += _announce(row)
        _drop_unfilled_for_cancelled(own, pre_by_appointment)
        if course.patient_id not in zones:
            zones[course.patient_id] = patient_zone(course.patient)
        for planned in schedule.follow_ups(
            own, zone=zones[course.patient_id], superseded_at=superseded.get(course.pk)
        ):
            if planned.due_at > now or (course.pk, planned.kind, None, planned.due_at) in existing:
                continue
            if planned.closes_at <= now:
                continue  # a course recorded late: a check-in already closed is not asked
            row = _create(
                patient_id=course.patient_id,
                course=course,
                kind=planned.kind,
                due_at=planned.due_at,
                closes_at=planned.closes_at,
            )
            created += _announce(row)
    return created


def _announce(row: CheckIn | None) -> int:
    if row is None:
        return 0
    messages.check_in_due(check_in=row)
    return 1


def _follow_the_infusion(row: CheckIn, planned: schedule.PlannedCheckIn) -> None:
    """A moved infusion moves its unfilled check-in (and its message) with it."""
    if row.is_completed or (row.due_at, row.closes_at) == (planned.due_at, planned.closes_at):
        return
    CheckIn.objects.filter(pk=row.pk).update(due_at=planned.due_at, closes_at=planned.closes_at)
    row.due_at, row.closes_at = planned.due_at, planned.closes_at
    messages.check_in_due(check_in=row)


def _drop_unfilled_for_cancelled(infusions, pre_by_appointment) -> None:
    """A cancelled infusion needs no check-in; one never filled in holds no data."""
    cancelled = [i.appointment_id for i in infusions if i.status.startswith("cancelled")]
    stale = [
        pre_by_appointment[pk].pk
        for pk in cancelled
        if pk in pre_by_appointment and not pre_by_appointment[pk].is_completed
    ]
    if stale:
        messages.cancel_check_in_messages(check_in_ids=stale)
        CheckIn.objects.filter(pk__in=stale, completed_at__isnull=True).delete()


def nudge_check_ins(*, now: dt.datetime | None = None) -> int:
    """One reminder for each open check-in not filled in by its nudge time, never a second."""
    now = now or timezone.now()
    count = 0
    candidates = CheckIn.objects.open(now).filter(nudged_at__isnull=True).select_related("patient")
    for row in candidates:
        if schedule.nudge_at(kind=row.kind, due_at=row.due_at, closes_at=row.closes_at) > now:
            continue
        # The update claims the nudge: two beats running at once send it once.
        if CheckIn.objects.filter(pk=row.pk, nudged_at__isnull=True).update(nudged_at=now):
            messages.check_in_nudge(check_in=row)
            count += 1
    return count


# ------------------------------------------------------------------ recording answers


@dataclass(frozen=True)
class Answered:
    check_in: CheckIn
    crisis: bool


def previous_mme(*, patient, before: CheckIn | None = None) -> tuple[float | None, list]:
    """The latest known MME/day and opioid rows: the last check-in that had them, else the
    intake's ("no change since last time" copies these)."""
    rows = CheckIn.objects.completed().filter(patient=patient, scores__has_key="mme")
    if before is not None:
        rows = rows.exclude(pk=before.pk)
    last = rows.order_by("-completed_at", "-pk").first()
    if last is not None:
        return last.scores.get("mme"), last.answers.get("opioids") or []
    intake = _latest_intake(patient)
    if intake is None:
        return None, []
    if intake.answers.get("takes_opioids") == "no":
        return 0.0, []
    total = float(intake.mme_total) if intake.mme_total is not None else None
    return total, intake.answers.get("opioids") or []


def score_answers(answers: dict, *, previous: tuple[float | None, list]) -> dict:
    """{"peg", "phq9", "gad7", "mme", "pgic"} for what the form asked; unasked keys absent."""
    scores: dict = {}
    for key, score in (
        ("peg", scoring.score_peg(answers)),
        ("phq9", scoring.score_phq9(answers)),
        ("gad7", scoring.score_gad7(answers)),
    ):
        if score.complete:
            scores[key] = score.value
    change = answers.get("opioids_change")
    if change == "none":
        scores["mme"] = 0.0
    elif change == "same" and previous[0] is not None:
        scores["mme"] = previous[0]
    elif change == "changed":
        scores["mme"] = scoring.compute_mme(answers.get("opioids") or []).total
    if isinstance(answers.get("pgic"), int):
        scores["pgic"] = answers["pgic"]
    return scores


def _latest_intake(patient) -> Intake | None:
    return (
        Intake.objects.filter(patient=patient, submitted_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _raise_crisis(check_in: CheckIn) -> UrgentAlert | None:
    intake = (
        _latest_intake(check_in.patient) or Intake.objects.filter(patient=check_in.patient).first()
    )
    if intake is None:
        return None
    # The email opens the patient's check-ins, where the positive answer is marked.
    where = {
        "route": "schedule:patient_checkins",
        "args": [check_in.patient_id],
        "source": "check-in",
    }
    return raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.CHECKIN_PHQ9_ITEM9, where=where)


def submit_check_in(
    *, check_in: CheckIn, answers: dict, actor, now: dt.datetime | None = None
) -> Answered:
    """Store the answers and scores once (a correction while open keeps the old values in
    the audit trail); item 9 above 0 raises the urgent alert in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        row = CheckIn.objects.select_for_update().select_related("patient").get(pk=check_in.pk)
        if row.due_at > now:
            raise CheckInNotDue
        if row.closes_at is not None and now >= row.closes_at:
            raise CheckInClosed
        if answers.get("opioids_change") == "same":
            answers = {**answers, "opioids": previous_mme(patient=row.patient, before=row)[1]}
        before = dict(row.answers)
        row.answers = answers
        row.scores = score_answers(answers, previous=previous_mme(patient=row.patient, before=row))
        correcting = row.completed_at is not None
        row.completed_at = row.completed_at or now
        crisis = scoring.phq9_item9_positive(answers)
        if crisis:
            row.alert = _raise_crisis(row)
        row.save(update_fields=["answers", "scores", "completed_at", "alert"])
        if correcting:
            record_changes(
                actor=actor, patient=row.patient, target=row, before=before, after=answers
            )
        else:
            record(actor=actor, action=Action.CREATE, patient=row.patient, target=row)
        messages.cancel_check_in_messages(check_in_ids=[row.pk])
    return Answered(row, crisis)


def may_correct(check_in: CheckIn, now: dt.datetime) -> bool:
    """A filled-in check-in may be corrected by the patient until it closes."""
    return check_in.is_completed and (check_in.closes_at is None or now < check_in.closes_at)
