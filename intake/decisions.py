"""What the review page shows about a decision being reopened (and the booked visits to
check because of it) and about a resubmission (what changed since the last submission).
Reads only; the transitions are in `review` and `services`."""

from dataclasses import dataclass

from django.utils import timezone

from . import review
from .changes import AnswerChange, answer_changes
from .models import Intake


@dataclass(frozen=True)
class ReopenPanel:
    may_reopen: bool  # the intake is decided and the reader reviews intakes
    reopened_at: object  # when the current review began from a reopened decision, or None
    bookings: tuple  # the patient's future self-booked appointments (flagged for staff)


def self_booked_upcoming(patient, now):
    """Appointments the patient booked themselves that have not happened yet.

    Read through the reverse relation so the intake app needs no import of consultations.
    """
    return (
        patient.appointments.filter(status="booked", start__gte=now, created_by=patient)
        .select_related("appointment_type", "provider")
        .order_by("start", "pk")
    )


def reopen_panel(intake: Intake, user) -> ReopenPanel:
    reopened = review.reopened_at(intake)
    bookings = tuple(self_booked_upcoming(intake.patient, timezone.now())) if reopened else ()
    may = user.has_perm("accounts.review_intakes") and "reopen" in review.allowed_actions(intake)
    return ReopenPanel(may, reopened, bookings)


@dataclass(frozen=True)
class Resubmission:
    at: object  # when the patient last resubmitted
    compared: bool  # the previous submission's answers were kept, so changes are listed
    changes: tuple[AnswerChange, ...]  # empty for readers without clinical access


def resubmission(intake: Intake, user) -> Resubmission | None:
    """The latest resubmission and, for clinicians, what it changed; None if never resubmitted.

    What changed is clinical (a dose, a pregnancy): coordinators see only that it happened.
    """
    if intake.resubmitted_at is None:
        return None
    if not user.has_perm("accounts.view_clinical_answers"):
        return Resubmission(intake.resubmitted_at, False, ())
    latest = list(intake.submissions.order_by("-number")[:2])
    if len(latest) < 2:  # resubmitted before snapshots were kept
        return Resubmission(intake.resubmitted_at, False, ())
    now, before = latest
    return Resubmission(
        intake.resubmitted_at, True, tuple(answer_changes(before.answers, now.answers))
    )
