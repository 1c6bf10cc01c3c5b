import datetime as dt
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
# A fixed "now" a week before a quiet Tuesday in January (no DST nearby).
NOW = dt.datetime(2027, 1, 5, 9, 0, tzinfo=NY)
TUESDAY = dt.date(2027, 1, 12)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(dt.UTC)


def consulted(
    patient, provider, *, days_ago: int = 7, hour: int = 9, start=None, outcome: str = ""
):
    """Give `patient` a completed initial consultation in the past (follow-ups need one):
    `days_ago` before NOW at `hour`, or at `start` for tests on the real clock. With
    `outcome` ("proceed", ...), the clinician's recorded decision too (infusions need
    "proceed")."""
    from consultations.models import Appointment, AppointmentType, Location

    initial = AppointmentType.objects.get(kind="initial")
    start = start or at(NOW.date() - dt.timedelta(days=days_ago), hour)
    appointment = Appointment.objects.create(
        patient=patient,
        provider=provider,
        appointment_type=initial,
        kind=initial.kind,
        location=Location.objects.filter(kind="clinic").first(),
        mode="in_person",
        start=start,
        end=start + initial.duration,
        block_start=start,
        block_end=start + initial.duration,
        status=Appointment.Status.COMPLETED,
    )
    if outcome:
        decide_outcome(appointment, outcome)
    return appointment


def decide_outcome(appointment, decision: str = "proceed", *, decided_at=None):
    """Record the clinician's outcome of a consultation, as the outcome page would."""
    from consultations.models import ConsultationOutcome

    return ConsultationOutcome.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        decision=decision,
        decided_by=appointment.provider.user,
        decided_at=decided_at or appointment.end,
    )


from .course_fixtures import *  # noqa: E402, F403 (the infusion-clinic fixtures)
