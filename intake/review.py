"""Staff review of intakes: one state machine, each action a service.

Illegal transitions are refused with IllegalTransition; approval is refused while a "stop"
flag is not cleared. Every change leaves an IntakeEvent (who, when, what).
"""

from django.db import transaction
from django.utils import timezone

from . import history, messages, scoring, screening
from .models import (
    DECIDED_STATUSES,
    DeclineTemplate,
    Intake,
    IntakeEvent,
    IntakeFlag,
    ScreeningPolicy,
    UrgentAlert,
)
from .questionnaire import SECTION_BY_KEY, visible_answers

S = Intake.Status

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.IN_PROGRESS, S.WAITING_FOR_PATIENT}), S.SUBMITTED),
    "start_review": (frozenset({S.SUBMITTED}), S.IN_REVIEW),
    "request_info": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.WAITING_FOR_PATIENT),
    "approve": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.APPROVED),
    "decline": (frozenset({S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT}), S.DECLINED),
    "refer": (frozenset({S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT}), S.REFERRED),
    # New information after a decision (a pregnancy, a new MAOI): back under review.
    "reopen": (frozenset(DECIDED_STATUSES), S.IN_REVIEW),
}


class ReviewError(Exception):
    """A refusal the view shows as a message."""


class IllegalTransition(ReviewError):
    pass


class ApprovalBlocked(ReviewError):
    def __init__(self, flags):
        super().__init__("Clear every stop flag before approving.")
        self.flags = flags


def allowed_actions(intake: Intake) -> set[str]:
    return {action for action, (sources, _) in TRANSITIONS.items() if intake.status in sources}


def _transition(intake: Intake, action: str, actor, text: str = "") -> Intake:
    """Lock the row, check the move is legal, move, and record it."""
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    sources, target = TRANSITIONS[action]
    if locked.status not in sources:
        raise IllegalTransition(
            f"An intake that is {locked.get_status_display().lower()} cannot be moved that way."
        )
    IntakeEvent.objects.create(
        intake=locked,
        actor=actor,
        kind=IntakeEvent.Kind.STATUS,
        from_status=locked.status,
        to_status=target,
        text=text,
    )
    locked.status = target
    return locked


def current_policy() -> screening.Policy:
    row = ScreeningPolicy.current()
    if row is None:
        return screening.Policy()
    return screening.Policy(row.version, dict(row.severities), row.pcptsd_cutoff)


def apply_screening(*, intake: Intake, actor=None) -> screening.ScreeningResult:
    """Screen the intake under the current policy and store flags and dashboard fields.

    A flag a clinician already cleared stays cleared while it fires with the same severity.
    """
    policy_row = ScreeningPolicy.current()
    answers = visible_answers(intake.answers)
    result = screening.screen(intake.answers, policy=current_policy(), today=timezone.localdate())
    cleared = {f.code: f for f in intake.flags.filter(cleared_at__isnull=False)}
    intake.flags.all().delete()
    rows = []
    for position, flag in enumerate(result.flags):
        previous = cleared.get(flag.code)
        keep = previous is not None and previous.severity == flag.severity
        rows.append(
            IntakeFlag(
                intake=intake,
                code=flag.code,
                title=flag.title,
                severity=flag.severity,
                source=flag.source,
                message=flag.message,
                detail=flag.detail,
                triggers=[list(t) for t in flag.triggers],
                position=position,
                cleared_at=previous.cleared_at if keep else None,
                cleared_by=previous.cleared_by if keep else None,
                clear_reason=previous.clear_reason if keep else "",
            )
        )
    IntakeFlag.objects.bulk_create(rows)
    phq9 = intake.scores.get("PHQ9") or {}
    intake.triage = result.triage
    intake.triage_rank = result.triage.rank
    intake.screening_policy = policy_row
    intake.screened_at = timezone.now()
    intake.mme_band = scoring.compute_mme(answers.get("opioids") or []).band
    intake.phq9_band = phq9.get("band") or ""
    intake.diagnosis_codes = "," + ",".join(answers.get("diagnoses") or []) + ","
    intake.date_of_birth = answers.get("date_of_birth") or None
    intake.phone = answers.get("mobile_phone") or ""
    intake.save()
    IntakeEvent.objects.create(
        intake=intake,
        actor=actor,
        kind=IntakeEvent.Kind.SCREENED,
        # The triage label staff see everywhere else ("Caution"), not its code ("review").
        text=(
            f"{len(result.flags)} flags; triage {result.triage.label}; "
            f"policy v{result.policy_version}"
        ),
    )
    return result


def assign(*, intake: Intake, clinician, actor) -> None:
    """Give the intake to a clinician (or nobody)."""
    with transaction.atomic():
        Intake.objects.filter(pk=intake.pk).update(assigned_to=clinician)
        IntakeEvent.objects.create(
            intake=intake,
            actor=actor,
            kind=IntakeEvent.Kind.ASSIGNED,
            text=f"Assigned to {clinician}" if clinician else "Unassigned",
        )


def start_review(*, intake: Intake, actor) -> Intake:
    with transaction.atomic():
        locked = _transition(intake, "start_review", actor)
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
        locked.save()
    return locked


def request_more_info(*, intake: Intake, actor, sections: list[str], message: str) -> Intake:
    """Reopen the chosen sections for the patient, with a message; the patient is told."""
    sections = [s for s in sections if s in SECTION_BY_KEY]
    if not sections or not message.strip():
        raise ReviewError("Choose at least one section and write a message for the patient.")
    with transaction.atomic():
        locked = _transition(intake, "request_info", actor, text=message)
        locked.reopened_sections = sections
        locked.info_request_message = message.strip()
        locked.current_step = sections[0]
        locked.save()
        IntakeEvent.objects.create(
            intake=locked,
            actor=actor,
            kind=IntakeEvent.Kind.INFO_REQUESTED,
            text="Sections: " + ", ".join(SECTION_BY_KEY[s].title for s in sections),
        )
        messages.patient_update(intake=locked, kind=messages.MORE_INFO)
    return locked


def clear_flag(*, flag: IntakeFlag, actor, reason: str) -> None:
    """A clinician clears a flag, saying why (required)."""
    if not reason.strip():
        raise ReviewError("Say why the flag can be cleared.")
    with transaction.atomic():
        IntakeFlag.objects.filter(pk=flag.pk).update(
            cleared_at=timezone.now(), cleared_by=actor, clear_reason=reason.strip()
        )
        IntakeEvent.objects.create(
            intake_id=flag.intake_id,
            actor=actor,
            kind=IntakeEvent.Kind.FLAG_CLEARED,
            text=f"{flag.title}: {reason.strip()}",
        )


def approve(*, intake: Intake, actor) -> Intake:
    """Approve for consultation: refused while any stop flag is not cleared."""
    with transaction.atomic():
        locked = _transition(intake, "approve", actor)
        blocking = locked.open_stop_flags
        if blocking:
            raise ApprovalBlocked(blocking)
        locked.decided_at = timezone.now()
        locked.save()
        messages.patient_update(intake=locked, kind=messages.APPROVED)
    return locked


def decline(*, intake: Intake, actor, template: DeclineTemplate, note: str = "") -> Intake:
    """Decline with a clinic template; the patient sees the template's kind message."""
    with transaction.atomic():
        locked = _transition(intake, "decline", actor, text=f"{template.title}. {note}".strip())
        locked.decline_template = template
        locked.decision_message = template.patient_message
        locked.decided_at = timezone.now()
        locked.save()
        messages.patient_update(intake=locked, kind=messages.DECISION)
    return locked


def refer(*, intake: Intake, actor, note: str, patient_message: str) -> Intake:
    """Refer elsewhere; the patient sees the message written for them."""
    with transaction.atomic():
        locked = _transition(intake, "refer", actor, text=note)
        locked.decision_message = patient_message.strip()
        locked.decided_at = timezone.now()
        locked.save()
        messages.patient_update(intake=locked, kind=messages.DECISION)
    return locked


def reopen(*, intake: Intake, actor, reason: str) -> Intake:
    """A clinician takes a decision back under review, saying why (required).

    The patient is no longer approved, so self-service booking needs a new approval;
    appointments already booked stay and are listed for staff to check (`reopened_bookings`).
    Refused while the patient has another intake open (one open intake per patient).
    """
    if not reason.strip():
        raise ReviewError("Say what new information makes you reopen the decision.")
    with transaction.atomic():
        locked = _transition(intake, "reopen", actor, text=reason.strip())
        newer = Intake.objects.open().filter(patient_id=locked.patient_id).exclude(pk=locked.pk)
        if newer.exists():
            raise ReviewError(
                f"This patient has another intake open (#{newer.first().pk}): review that one."
            )
        locked.decided_at = None
        locked.decline_template = None
        locked.decision_message = ""
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
        locked.save()
    return locked


def reopened_at(intake: Intake):
    """When the intake's current review began with a reopened decision (None if it did not)."""
    if intake.status in DECIDED_STATUSES or intake.status == S.IN_PROGRESS:
        return None
    reopenings = [
        e
        for e in history.events_of(intake)
        if e.kind == IntakeEvent.Kind.STATUS and e.from_status in DECIDED_STATUSES
    ]
    latest = max(reopenings, key=lambda e: (e.created_at, e.pk), default=None)
    return latest.created_at if latest else None


def add_note(*, intake: Intake, actor, text: str) -> None:
    """An internal note (author, time); never shown to the patient."""
    if not text.strip():
        raise ReviewError("Write the note first.")
    IntakeEvent.objects.create(
        intake=intake, actor=actor, kind=IntakeEvent.Kind.NOTE, text=text.strip()
    )


def acknowledge_alert(*, alert: UrgentAlert, actor, action_taken: str) -> None:
    """A clinician records what was done; the alert leaves every staff page."""
    if not action_taken.strip():
        raise ReviewError("Record what was done before acknowledging.")
    with transaction.atomic():
        updated = UrgentAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor, action_taken=action_taken.strip()
        )
        if updated:
            IntakeEvent.objects.create(
                intake_id=alert.intake_id,
                actor=actor,
                kind=IntakeEvent.Kind.ALERT_ACKNOWLEDGED,
                text=action_taken.strip(),
            )


def rescreen_open_intakes() -> int:
    """Re-screen every intake still under review (after a policy change)."""
    count = 0
    for intake in Intake.objects.filter(
        status__in=(S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT)
    ):
        with transaction.atomic():
            apply_screening(intake=intake)
        count += 1
    return count
