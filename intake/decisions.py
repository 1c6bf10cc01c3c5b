"""What the review page shows about a decision being reopened, and the booked visits to
check because of it. Reads only; the transition itself is `review.reopen`."""

from dataclasses import dataclass

from django.utils import timezone

from . import review
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
