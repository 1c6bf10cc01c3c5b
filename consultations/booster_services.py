"""Boosters: who staff should offer one to, the patient's request, and staff's answers.

`booster_prompts` loads everything in a fixed number of queries and hands plain values to
the pure rules (outcomes.summarize, boosters.booster_prompt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.accounts.models import User
from clinic.audit.models import Action
from clinic.audit.services import record
from clinic.core.models import ClinicSettings
from intake.models import Intake

from . import boosters, messages, outcomes
from .models import (
    Appointment,
    AppointmentType,
    BoosterRequest,
    BoosterSnooze,
    CheckIn,
    Course,
)


class BoosterError(Exception):
    pass


class AlreadyRequested(BoosterError):
    pass


class NotOpen(BoosterError):
    pass


class NoCourse(BoosterError):
    """Only a patient who has had a course of infusions can ask for a booster."""


@dataclass(frozen=True)
class PatientBooster:
    patient: User
    prompt: boosters.BoosterPrompt
    outcome: outcomes.Outcome | None
    last_infusion_end: dt.datetime | None
    request: BoosterRequest | None
    snooze: BoosterSnooze | None


def _baselines(patient_ids) -> dict[int, outcomes.Measures]:
    latest: dict[int, Intake] = {}
    for intake in Intake.objects.filter(
        patient_id__in=patient_ids, submitted_at__isnull=False
    ).order_by("patient_id", "-submitted_at", "-pk"):
        latest.setdefault(intake.patient_id, intake)
    return {
        pk: outcomes.baseline_from_intake(
            intake.scores, intake.mme_total, intake.answers.get("takes_opioids")
        )
        for pk, intake in latest.items()
    }


def _follow_ups(patient_ids, now) -> dict[int, list[outcomes.FollowUp]]:
    """Completed and missed follow-ups (a missed one counts as no data, never as better);
    ones still open are left out: not filled in yet is not missed."""
    by_patient: dict[int, list[outcomes.FollowUp]] = {}
    rows = CheckIn.objects.filter(patient_id__in=patient_ids).exclude(
        kind=CheckIn.Kind.PRE_INFUSION
    )
    for row in rows:
        if row.is_completed:
            measures = outcomes.measures_from_check_in(row.scores)
        elif row.is_missed(now):
            measures = outcomes.Measures()
        else:
            continue
        by_patient.setdefault(row.patient_id, []).append(outcomes.FollowUp(row.due_at, measures))
    return by_patient


def outcomes_for(patient_ids, *, now: dt.datetime | None = None) -> dict[int, outcomes.Outcome]:
    """Each patient's outcome against the intake baseline (two queries for any number)."""
    now = now or timezone.now()
    baselines = _baselines(patient_ids)
    follow_ups = _follow_ups(patient_ids, now)
    return {
        pk: outcomes.summarize(baselines.get(pk, outcomes.Measures()), follow_ups.get(pk, []))
        for pk in patient_ids
    }


def booster_prompts(*, now: dt.datetime | None = None, patient=None) -> list[PatientBooster]:
    """Every patient with a course: the booster prompt's reasons (empty when none)."""
    now = now or timezone.now()
    courses = Course.objects.all()
    if patient is not None:
        courses = courses.filter(patient=patient)
    patient_ids = set(courses.values_list("patient_id", flat=True))
    if not patient_ids:
        return []
    infusions = Appointment.objects.filter(
        patient_id__in=patient_ids, kind=AppointmentType.Kind.INFUSION
    ).values_list("patient_id", "end", "status")
    last_end: dict[int, dt.datetime] = {}
    upcoming: set[int] = set()
    for pk, end, status in infusions:
        if status == Appointment.Status.COMPLETED and (pk not in last_end or end > last_end[pk]):
            last_end[pk] = end
        if status in (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN) and end > now:
            upcoming.add(pk)
    requests = {
        r.patient_id: r for r in BoosterRequest.objects.open().filter(patient_id__in=patient_ids)
    }
    snoozes: dict[int, BoosterSnooze] = {}
    for snooze in BoosterSnooze.objects.filter(
        patient_id__in=patient_ids, withdrawn_at__isnull=True, until__gt=now.date()
    ).order_by("-until"):
        snoozes.setdefault(snooze.patient_id, snooze)
    results = outcomes_for(patient_ids, now=now)
    interval = ClinicSettings.load().booster_interval_weeks
    people = User.objects.in_bulk(patient_ids)
    found = []
    for pk in sorted(patient_ids):
        outcome = results.get(pk)
        prompt = boosters.booster_prompt(
            relief_fading=bool(outcome and outcome.relief_fading),
            last_infusion_end=last_end.get(pk),
            interval_weeks=interval,
            has_upcoming_infusion=pk in upcoming,
            requested=pk in requests,
            snoozed_until=snoozes[pk].until if pk in snoozes else None,
            now=now,
        )
        found.append(
            PatientBooster(
                people[pk], prompt, outcome, last_end.get(pk), requests.get(pk), snoozes.get(pk)
            )
        )
    return found


# ------------------------------------------------------------------ patient and staff acts


def request_booster(*, patient, now: dt.datetime | None = None) -> BoosterRequest:
    """One open request per patient (a second tap finds the first); staff are told."""
    now = now or timezone.now()
    course = Course.objects.filter(patient=patient).exclude(status=Course.Status.CANCELLED)
    course = course.order_by("-created_at", "-pk").first()
    if course is None:
        raise NoCourse
    try:
        with transaction.atomic():
            booster_request = BoosterRequest.objects.create(
                patient=patient, course=course, requested_at=now
            )
            record(actor=patient, action=Action.CREATE, patient=patient, target=booster_request)
            messages.booster_requested(booster_request=booster_request)
    except IntegrityError:
        raise AlreadyRequested from None
    return booster_request


def _close(*, booster_request, status, actor, reason="", booster=None) -> BoosterRequest:
    with transaction.atomic():
        updated = BoosterRequest.objects.filter(
            pk=booster_request.pk, status=BoosterRequest.Status.OPEN
        ).update(
            status=status,
            resolved_at=timezone.now(),
            resolved_by=actor,
            reason=reason,
            booster=booster,
        )
        if not updated:
            raise NotOpen
        booster_request.refresh_from_db()
        record(
            actor=actor,
            action=Action.UPDATE,
            patient=booster_request.patient,
            target=booster_request,
            detail={"status": status, "reason": reason},
        )
    return booster_request


def withdraw_booster_request(*, booster_request, actor) -> BoosterRequest:
    """The patient changed their mind (their undo); recorded, staff no longer prompted."""
    return _close(
        booster_request=booster_request, status=BoosterRequest.Status.WITHDRAWN, actor=actor
    )


def decline_booster_request(*, booster_request, actor, reason: str) -> BoosterRequest:
    """Staff answer a request without booking (a reason is required, kept for staff)."""
    if not reason.strip():
        raise BoosterError("A reason is required.")
    return _close(
        booster_request=booster_request,
        status=BoosterRequest.Status.DECLINED,
        actor=actor,
        reason=reason.strip(),
    )


def mark_booster_booked(*, patient, booster: Course, actor) -> None:
    """A booked booster answers the patient's open request (if any)."""
    for open_request in BoosterRequest.objects.open().filter(patient=patient):
        _close(
            booster_request=open_request,
            status=BoosterRequest.Status.BOOKED,
            actor=actor,
            booster=booster,
        )


def snooze_booster_prompt(*, patient, until: dt.date, reason: str, actor) -> BoosterSnooze:
    """Set the computed prompt aside until a date, with a reason (undo: withdraw_snooze)."""
    if not reason.strip():
        raise BoosterError("A reason is required.")
    snooze = BoosterSnooze.objects.create(
        patient=patient, until=until, reason=reason.strip(), created_by=actor
    )
    record(actor=actor, action=Action.CREATE, patient=patient, target=snooze)
    return snooze


def withdraw_snooze(*, snooze: BoosterSnooze, actor) -> None:
    """Undo a snooze: the prompt is back at once; the snooze stays on record."""
    if BoosterSnooze.objects.filter(pk=snooze.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    ):
        record(actor=actor, action=Action.UPDATE, patient=snooze.patient, target=snooze)
