"""Demo treatment courses for `make run`, so the outcome charts show at once (not for patients).

Three patients after an approved intake and a consultation whose outcome was "proceed":
- Erin, mid-course: a 6-infusion series with some infusions done, pre-infusion check-ins;
- Frank, after a course: 1-, 4- and 12-week check-ins and a monthly one, a clear responder
  (PEG more than 50 % below baseline, opioids halved);
- Grace, relief fading: a responder at 1 week who has lost more than half of the gain by
  12 weeks (the booster prompt), with a missed monthly check-in (a break in her chart).

Dates are relative to `now`, so the demo always looks current. Safe to run twice: a patient
who already has a course is left as they are.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from clinic.accounts.models import User
from consultations.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Chair,
    CheckIn,
    ConsultationOutcome,
    Course,
    Location,
    Provider,
)
from intake import demo as intake_demo
from intake.models import Intake


@dataclass(frozen=True)
class Check:
    kind: str
    # Days after the last infusion (follow-ups) or None (pre-infusion: on the infusion day).
    after_last: int | None
    peg: tuple[int, int, int] | None  # the three PEG items; None: not answered (missed)
    phq9: int | None = None
    gad7: int | None = None
    mme: float | None = None
    pgic: int | None = None


@dataclass(frozen=True)
class DemoCourse:
    email: str
    first: str
    last: str
    # Days before today: intake submitted, first infusion.
    intake_days_ago: int
    first_infusion_days_ago: int
    peg_items: tuple[int, int, int]  # at the intake (baseline)
    # PEG items before each infusion that has taken place.
    pre_infusion: tuple[tuple[int, int, int], ...]
    follow_ups: tuple[Check, ...] = ()
    chair_name: str = "Chair 1"
    hour: int = 9
    note: str = ""


COURSES = (
    DemoCourse(
        email="erin@patient.example",
        first="Erin",
        last="Evans",
        intake_days_ago=40,
        first_infusion_days_ago=7,
        peg_items=(7, 8, 7),
        pre_infusion=((7, 8, 7), (7, 7, 6), (6, 6, 6), (5, 6, 5)),
        chair_name="Chair 1",
        hour=13,
        note="mid-course",
    ),
    DemoCourse(
        email="frank@patient.example",
        first="Frank",
        last="Fischer",
        intake_days_ago=170,
        first_infusion_days_ago=140,
        peg_items=(7, 7, 7),
        pre_infusion=((7, 7, 7), (7, 6, 7), (6, 6, 5), (5, 5, 5), (4, 5, 4), (4, 4, 4)),
        follow_ups=(
            Check("week_1", 7, (3, 3, 3), phq9=6, gad7=5, mme=45, pgic=6),
            Check("week_4", 28, (3, 3, 2), phq9=5, gad7=4, mme=30, pgic=6),
            Check("week_12", 84, (3, 3, 3), phq9=5, gad7=4, mme=30, pgic=6),
            Check("monthly", 114, (3, 4, 3), phq9=6, gad7=5, mme=30, pgic=5),
        ),
        chair_name="Chair 2",
        hour=9,
        note="after a course: responder",
    ),
    DemoCourse(
        email="grace@patient.example",
        first="Grace",
        last="Green",
        intake_days_ago=150,
        first_infusion_days_ago=120,
        peg_items=(7, 7, 6),
        pre_infusion=((7, 7, 6), (6, 7, 6), (6, 6, 5), (5, 5, 5), (4, 5, 4), (4, 4, 3)),
        follow_ups=(
            Check("week_1", 7, (3, 3, 3), phq9=8, gad7=7, mme=60, pgic=6),
            Check("week_4", 28, (4, 4, 3), phq9=9, gad7=7, mme=60, pgic=5),
            Check("week_12", 84, (5, 5, 5), phq9=11, gad7=8, mme=60, pgic=4),
            Check("monthly", 99, None),
        ),
        chair_name="Chair 3",
        hour=11,
        note="after a course: relief fading",
    ),
)

INFUSIONS_PER_SERIES = 6


def peg(items) -> float:
    """The PEG score of three items, as intake.scoring computes it (mean, 1 decimal)."""
    return round(sum(items) / 3, 1)


def seed_courses(*, now: dt.datetime, create_account) -> list[tuple[str, str]]:
    """Create the demo course patients (through `create_account`) and their courses.

    Returns (label, email) rows for the printed list of demo logins.
    """
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    clinician = Provider.objects.select_related("user").order_by("pk").first()
    location = Location.objects.filter(kind=Location.Kind.CLINIC).order_by("pk").first()
    infusion_type = AppointmentType.objects.filter(kind="infusion").order_by("pk").first()
    initial = AppointmentType.objects.filter(kind="initial").order_by("pk").first()
    if None in (clinician, location, infusion_type, initial):
        return []
    rows = []
    for spec in COURSES:
        patient = User.objects.filter(email=spec.email).first() or create_account(
            email=spec.email, first=spec.first, last=spec.last
        )
        rows.append(("Patient", f"{spec.email}  ({spec.note})"))
        if Course.objects.filter(patient=patient).exists():
            continue
        with transaction.atomic():
            _seed_one(spec, patient, clinician, location, infusion_type, initial, now, zone)
    return rows


def _chair(location, name) -> Chair:
    chair, _ = Chair.objects.get_or_create(location=location, name=name)
    return chair


def _at(day: dt.date, hour: int, zone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _series_days(first: dt.date) -> list[dt.date]:
    """Six weekdays with at least one day between them (Mon/Wed/Fri rhythm)."""
    days, day = [], first
    while len(days) < INFUSIONS_PER_SERIES:
        if day.weekday() < 5:
            days.append(day)
            day += dt.timedelta(days=2)
        else:
            day += dt.timedelta(days=1)
    return days


def _seed_one(spec, patient, provider, location, infusion_type, initial, now, zone):
    today = now.astimezone(zone).date()
    answers = {
        **intake_demo.BASE,
        "legal_first_name": spec.first,
        "legal_last_name": spec.last,
        "consent_signature": f"{spec.first} {spec.last}",
        "mobile_phone": f"+1202555{patient.pk:04d}",
        "peg_pain": spec.peg_items[0],
        "peg_enjoyment": spec.peg_items[1],
        "peg_activity": spec.peg_items[2],
    }
    intake = Intake.objects.for_patient(patient).first() or intake_demo.seed_intake(
        patient=patient, answers=answers, submit=True
    )
    submitted = _at(today - dt.timedelta(days=spec.intake_days_ago), 10, zone)
    # Backdated as history: approved by the clinician a few days after submitting.
    Intake.objects.filter(pk=intake.pk).update(
        status=Intake.Status.APPROVED,
        submitted_at=submitted,
        decided_at=submitted + dt.timedelta(days=3),
    )
    consult_day = _weekday_on_or_before(
        today - dt.timedelta(days=spec.first_infusion_days_ago + 10)
    )
    # 15:00: after every demo infusion's hour, so the clinician is never booked twice.
    consult_start = _at(consult_day, 15, zone)
    consultation = Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=initial,
        kind=initial.kind,
        location=location,
        mode="in_person",
        start=consult_start,
        end=consult_start + initial.duration,
        block_start=consult_start - dt.timedelta(minutes=initial.buffer_before_minutes),
        block_end=consult_start
        + initial.duration
        + dt.timedelta(minutes=initial.buffer_after_minutes),
        status=AppointmentStatus.COMPLETED,
        intake=intake,
    )
    outcome = ConsultationOutcome.objects.create(
        appointment=consultation,
        patient=patient,
        decision=ConsultationOutcome.Decision.PROCEED,
        budapest_signs=["allodynia", "temperature_asymmetry", "edema"],
        note="Budapest criteria met; proceed to a 6-infusion series.",
        decided_by=provider.user,
        decided_at=consult_start + dt.timedelta(hours=1),
    )
    days = _series_days(
        _weekday_on_or_before(today - dt.timedelta(days=spec.first_infusion_days_ago))
    )
    # Infusions in the past took place (as many as the demo has check-ins for).
    held = [
        number <= len(spec.pre_infusion) and _at(day, spec.hour, zone) < now
        for number, day in enumerate(days, start=1)
    ]
    course = Course.objects.create(
        patient=patient,
        outcome=outcome,
        kind=Course.Kind.SERIES,
        status=Course.Status.COMPLETED if all(held) else Course.Status.ACTIVE,
        planned_count=len(days),
        window_days=14,
        constraints={"weekdays_only": True, "min_gap_days": 1, "preferred_time": ""},
        created_by=provider.user,
    )
    chair = _chair(location, spec.chair_name)
    recovery = dt.timedelta(minutes=infusion_type.chair_recovery_minutes)
    next_open = held.index(False) if False in held else None
    for index, day in enumerate(days):
        start = _at(day, spec.hour, zone)
        infusion = Appointment.objects.create(
            patient=patient,
            provider=provider,
            appointment_type=infusion_type,
            kind=infusion_type.kind,
            location=location,
            mode="in_person",
            start=start,
            end=start + infusion_type.duration,
            block_start=start - dt.timedelta(minutes=infusion_type.buffer_before_minutes),
            block_end=start
            + infusion_type.duration
            + dt.timedelta(minutes=infusion_type.buffer_after_minutes),
            uses_chair=True,
            chair=chair,
            chair_end=start + infusion_type.duration + recovery,
            course=course,
            status=AppointmentStatus.COMPLETED if held[index] else AppointmentStatus.BOOKED,
            intake=intake,
        )
        due = start - dt.timedelta(hours=20)
        if held[index]:
            items = spec.pre_infusion[index]
            _check_in(patient, course, "pre_infusion", due, items, appointment=infusion)
        elif index == next_open and due <= now:
            # The next infusion's check-in is open for the patient to fill in.
            CheckIn.objects.create(
                patient=patient,
                course=course,
                appointment=infusion,
                kind="pre_infusion",
                due_at=due,
            )
    last = _at(days[-1], spec.hour, zone)
    for check in spec.follow_ups:
        due = last + dt.timedelta(days=check.after_last)
        if due > now:
            continue
        scores = {
            "phq9": check.phq9,
            "gad7": check.gad7,
            "mme": check.mme,
            "pgic": check.pgic,
        }
        _check_in(patient, course, check.kind, due, check.peg, **scores)


def _check_in(patient, course, kind, due, items, *, appointment=None, **scores):
    """A check-in answered an hour after it was due (or never, when `items` is None)."""
    completed = None
    answers, values = {}, {}
    if items is not None:
        completed = due + dt.timedelta(hours=1)
        answers = {"peg_pain": items[0], "peg_enjoyment": items[1], "peg_activity": items[2]}
        values = {"peg": peg(items), **{k: v for k, v in scores.items() if v is not None}}
    return CheckIn.objects.create(
        patient=patient,
        course=course,
        appointment=appointment,
        kind=kind,
        due_at=due,
        answers=answers,
        scores=values,
        completed_at=completed,
    )
