"""Who may book which appointment type, and how notice fits the cancellation window (pure).

An appointment type declares who may book it (`AppointmentType.BookableBy`, the same codes
as below); the patient's history and who is booking decide the rest:

- "patient"      any patient, self-service or through staff (a type the clinic adds);
- "new"          before a first completed consultation (the initial consultation);
- "returning"    after a completed consultation (follow-ups);
- "staff_after"  staff only, after a completed consultation (infusions);
- "staff"        staff only, any patient.

An infusion needs more than a completed consultation: the clinician's recorded outcome of
it must be "proceed" (the latest outcome counts; "not suitable" or "needs tests first"
after an earlier "proceed" stops new infusions), for staff and patients alike.

On top, a type may need an approved intake: a patient cannot book it without one; staff
may, with a recorded reason. A patient whose intake was declined cannot book a type that
skips approval herself; staff may, and are warned. The booking service enforces this and
the pickers only show (or explain) what it allows: one rule, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY_PATIENT = "patient"
NEW_PATIENT = "new"
RETURNING = "returning"
STAFF_AFTER_CONSULTATION = "staff_after"
STAFF_ONLY = "staff"

# The earliest bookable time should leave this long to move it online before the
# cancellation window closes: with 24 h of window, 48 h of notice.
NOTICE_MARGIN_HOURS = 24


@dataclass(frozen=True)
class PatientHistory:
    """What the rules need to know about a patient, read by selectors.patient_history."""

    completed_consultation: bool = False
    approved_intake: bool = False
    declined_intake: bool = False  # a declined intake and none approved
    # The latest consultation outcome says "proceed to a course of infusions".
    proceed_outcome: bool = False


@dataclass(frozen=True)
class Verdict:
    """May this booking go ahead? `code` names the refusal; `warning` is for staff."""

    allowed: bool
    code: str = ""
    needs_override: bool = False  # staff: no approved intake, a reason must be recorded
    warning: str = ""


# Why a type is not offered, in the words staff read next to it.
STAFF_REASONS = {
    "staff_only": "Only staff book this.",
    "had_consultation": (
        "Only for new patients: this patient has already had a completed consultation "
        "(book a follow-up instead)."
    ),
    "no_consultation": (
        "Only after a completed consultation: this patient has not had one yet "
        "(book an initial consultation first)."
    ),
    "no_proceed": (
        "An infusion needs a clinician's decision to proceed: record the consultation "
        "outcome “Proceed to a course of infusions” first."
    ),
}
# The same refusals as the patient reads them (she never sees types she cannot book; these
# answer a stale or hand-made link).
PATIENT_REASONS = {
    "staff_only": "This kind of appointment is booked by the clinic. Please call us.",
    "had_consultation": (
        "You have already had your initial consultation. Please book a follow-up instead."
    ),
    "no_consultation": (
        "This appointment can be booked after your initial consultation. Please book that first."
    ),
    "no_proceed": "Your clinician will talk with you about next steps after your consultation.",
    "declined": "Please call the clinic to book this appointment.",
    "needs_approval": ("This appointment can be booked once the clinic has approved your intake."),
}
DECLINED_WARNING = (
    "This patient's intake was declined. This appointment type does not need an approved "
    "intake: check with a clinician before booking."
)
DECLINED_OVERRIDE_WARNING = (
    "This patient's intake was declined; booking it needs a recorded reason."
)


def check(
    *,
    bookable_by: str,
    requires_approval: bool,
    history: PatientHistory,
    by_staff: bool,
    is_infusion: bool = False,
) -> Verdict:
    """May this patient have this type booked, by herself (by_staff False) or by staff?"""
    if not by_staff and bookable_by in (STAFF_ONLY, STAFF_AFTER_CONSULTATION):
        return Verdict(False, "staff_only")
    if bookable_by == NEW_PATIENT and history.completed_consultation:
        return Verdict(False, "had_consultation")
    if bookable_by in (RETURNING, STAFF_AFTER_CONSULTATION) and not history.completed_consultation:
        return Verdict(False, "no_consultation")
    # Whatever the type's own rule says (even "any patient"): no infusion without "proceed".
    if is_infusion and not history.proceed_outcome:
        return Verdict(False, "no_proceed")
    declined = history.declined_intake and not history.approved_intake
    if requires_approval and not history.approved_intake:
        if not by_staff:
            return Verdict(False, "needs_approval")
        return Verdict(
            True, needs_override=True, warning=DECLINED_OVERRIDE_WARNING if declined else ""
        )
    if declined:
        # The type skips approval: a declined patient would get in without a clinician.
        if not by_staff:
            return Verdict(False, "declined")
        return Verdict(True, warning=DECLINED_WARNING)
    return Verdict(True)


def patient_sees(verdict: Verdict) -> bool:
    """Whether the patient's picker lists the type (waiting for approval still shows it,
    with the note that it can be booked once approved)."""
    return verdict.allowed or verdict.code == "needs_approval"


# ------------------------------------------------------ notice and cancellation window


def notice_conflicts(
    *, window_hours: int, types: list[tuple[str, int]], margin_hours: int = NOTICE_MARGIN_HOURS
) -> list[str]:
    """Warnings for self-bookable types whose notice leaves less than `margin_hours` between
    booking the earliest time and the end of online changes; `types` is (name, notice h)."""
    needed = window_hours + margin_hours
    return [
        f"“{name}” can be booked {notice} hours ahead, but online changes stop "
        f"{window_hours} hours before: a patient who books the earliest time can change it "
        f"online for {_span(max(notice - window_hours, 0))}. Set its minimum notice to at "
        f"least {needed} hours, or shorten the cancellation window."
        for name, notice in types
        if notice < needed
    ]


def _span(hours: int) -> str:
    if hours == 0:
        return "no time at all"
    return f"only {hours} hour{'s' if hours != 1 else ''}"
