"""Recording a consultation's outcome: proceed to a course, not suitable, or tests first.

One outcome per consultation; a later one replaces it in place and the earlier version is
kept as an OutcomeRevision (shown as history). Every recording is audited and tells the
patient, through the outbox, that there is an update in the portal (a name and a link);
the kind words of the clinic's template are what the portal shows, never the note.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clinic.audit.services import record
from intake import checklist
from intake.checklist_services import record_checklist
from intake.models import ChecklistItem, Intake
from intake.scoring import budapest_symptoms

from . import budapest, outcome_messages
from .models import (
    Appointment,
    AppointmentType,
    ConsultationOutcome,
    OutcomeMessageTemplate,
    OutcomeRevision,
)

Decision = ConsultationOutcome.Decision
CONSULTATION_KINDS = (AppointmentType.Kind.INITIAL, AppointmentType.Kind.FOLLOW_UP)
SEEN_STATUSES = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
CRPS_DIAGNOSES = ("crps_1", "crps_2")


class OutcomeError(Exception):
    """The outcome cannot be recorded as asked (the message says why, for staff)."""


@dataclass(frozen=True)
class CrpsFacts:
    """What the intake says about CRPS: whether it was reported, and the symptom part."""

    reported: bool
    symptom_categories: int | None = None
    symptoms_positive: bool = False
    symptom_detail: str = ""

    def assess(self, signs) -> budapest.Assessment:
        return budapest.assess(
            symptom_categories=self.symptom_categories,
            symptoms_positive=self.symptoms_positive,
            signs=signs,
        )


def may_have_outcome(appointment: Appointment) -> bool:
    """A consultation (initial or follow-up) the patient came to."""
    return appointment.kind in CONSULTATION_KINDS and appointment.status in SEEN_STATUSES


def latest_intake(patient) -> Intake | None:
    """The patient's latest submitted intake (the one the consultation followed)."""
    return (
        Intake.objects.filter(patient=patient, submitted_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def crps_facts(intake: Intake | None) -> CrpsFacts:
    """CRPS reported in the intake, and its Budapest symptom score."""
    answers = intake.answers if intake else {}
    reported = any(code in (answers.get("diagnoses") or ()) for code in CRPS_DIAGNOSES)
    if not reported:
        return CrpsFacts(reported=False)
    score = budapest_symptoms(answers)
    return CrpsFacts(
        reported=True,
        symptom_categories=score.value if score.complete else None,
        symptoms_positive=score.positive,
        symptom_detail=score.detail,
    )


def _check(*, appointment, decision, template, signs, tests, reason, version, current):
    if not may_have_outcome(appointment):
        raise OutcomeError(
            "An outcome is recorded on a consultation the patient came to (checked in or "
            "completed)."
        )
    if decision not in Decision.values:
        raise OutcomeError("Choose an outcome.")
    if template is None or template.decision != decision or not template.active:
        raise OutcomeError("Choose the message the patient will read for this outcome.")
    if decision == Decision.NEEDS_TESTS and not tests:
        raise OutcomeError("Choose the tests needed first.")
    unknown = [code for code in tests if code not in checklist.ITEM_BY_CODE]
    if unknown:
        raise OutcomeError("That is not an item of the checklist.")
    budapest.sign_categories(signs)  # unknown codes raise UnknownSign
    now_version = current.version if current else 0
    if version != now_version:
        raise OutcomeError(
            "Someone recorded an outcome for this consultation while you were writing: "
            "read it below, then correct it if needed."
        )
    if current and not reason.strip():
        raise OutcomeError("Say why the outcome is being corrected.")


def _request_tests(*, intake: Intake | None, tests, actor) -> None:
    """Tick "requested" on the review page's checklist for each test not yet asked for."""
    if intake is None:
        return
    recorded = dict(ChecklistItem.objects.filter(intake=intake).values_list("code", "status"))
    for code in tests:
        if recorded.get(code, checklist.SUGGESTED) == checklist.SUGGESTED:
            record_checklist(
                intake=intake,
                code=code,
                to_status=checklist.REQUESTED,
                actor=actor,
                note="Asked for at the consultation.",
            )


def record_outcome(
    *,
    appointment: Appointment,
    actor,
    decision: str,
    template: OutcomeMessageTemplate | None,
    note: str = "",
    budapest_signs: list[str] = (),
    tests_needed: list[str] = (),
    reason: str = "",
    version: int = 0,
) -> ConsultationOutcome:
    """Record (or correct, keeping the earlier version) the consultation's outcome, audit
    it and tell the patient there is an update; refused if someone recorded one meanwhile."""
    signs, tests = list(budapest_signs), list(tests_needed)
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        current = ConsultationOutcome.objects.filter(appointment=locked).first()
        _check(
            appointment=locked,
            decision=decision,
            template=template,
            signs=signs,
            tests=tests if decision == Decision.NEEDS_TESTS else [],
            reason=reason,
            version=version,
            current=current,
        )
        now = timezone.now()
        if current:
            _keep_revision(current, actor=actor, now=now, reason=reason.strip())
        outcome = current or ConsultationOutcome(appointment=locked, patient=locked.patient)
        outcome.decision = decision
        outcome.budapest_signs = signs
        outcome.tests_needed = tests if decision == Decision.NEEDS_TESTS else []
        outcome.note = note.strip()
        outcome.message_template = template
        outcome.patient_message = template.patient_message
        outcome.decided_by = actor
        outcome.decided_at = now
        outcome.version = (current.version + 1) if current else 1
        outcome.correction_reason = reason.strip() if current else ""
        outcome.save()
        if decision == Decision.NEEDS_TESTS:
            _request_tests(intake=latest_intake(locked.patient), tests=tests, actor=actor)
        record(
            actor=actor,
            action="consultation_outcome_corrected" if current else "consultation_outcome",
            patient=locked.patient,
            target=outcome,
            detail={"decision": decision, "version": outcome.version},
        )
        outcome_messages.outcome_recorded(outcome=outcome)
    return outcome


def _keep_revision(current: ConsultationOutcome, *, actor, now, reason: str) -> None:
    OutcomeRevision.objects.create(
        outcome=current,
        version=current.version,
        decision=current.decision,
        budapest_signs=current.budapest_signs,
        tests_needed=current.tests_needed,
        note=current.note,
        patient_message=current.patient_message,
        correction_reason=current.correction_reason,
        decided_by=current.decided_by,
        decided_at=current.decided_at,
        superseded_by=actor,
        superseded_at=now,
        superseded_reason=reason,
    )


def current_outcome(patient) -> ConsultationOutcome | None:
    """The patient's latest consultation outcome (what decides whether a course is planned)."""
    return outcomes_latest_first(patient).first()


def outcomes_latest_first(patient):
    """The patient's outcomes, the current one first (`patient` may be an OuterRef)."""
    return ConsultationOutcome.objects.filter(patient=patient).order_by("-decided_at", "-pk")
