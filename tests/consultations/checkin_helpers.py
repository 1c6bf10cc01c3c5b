"""Building a course of infusions and check-ins for the check-in and booster tests."""

import datetime as dt

from django.utils import timezone

from consultations.models import Appointment, AppointmentType, CheckIn, Course, Location

PEG_7 = {"peg_pain": 7, "peg_enjoyment": 7, "peg_activity": 7}
FOLLOW_UP = {
    "peg_pain": "3",
    "peg_enjoyment": "3",
    "peg_activity": "3",
    **{f"phq9_{n}": "0" for n in range(1, 10)},
    **{f"gad7_{n}": "1" for n in range(1, 8)},
    "opioids_change": "same",
    "pgic": "2",
}


def course(patient, provider, *, days_ago=(20, 18, 16), status="completed", kind="series"):
    """A course whose infusions started `days_ago` days before now (negative: to come)."""
    infusion = AppointmentType.objects.get(kind="infusion")
    row = Course.objects.create(patient=patient, planned_count=len(days_ago), kind=kind)
    now = timezone.now().replace(microsecond=0)
    # Each patient's infusions two hours apart from the next one's: one provider, no overlap.
    offset = dt.timedelta(hours=2 * (patient.pk % 6))
    for days in days_ago:
        start = now - dt.timedelta(days=days) - offset
        Appointment.objects.create(
            patient=patient,
            provider=provider,
            appointment_type=infusion,
            kind="infusion",
            location=Location.objects.filter(kind="clinic").first(),
            mode="in_person",
            start=start,
            end=start + dt.timedelta(minutes=60),
            block_start=start,
            block_end=start + dt.timedelta(minutes=75),
            status=status if days > 0 else Appointment.Status.BOOKED,
            course=row,
        )
    return row


def follow_up(patient, row, *, weeks_ago=1, peg=None, kind="week_1", open_days=14):
    """A follow-up check-in due `weeks_ago` weeks ago; filled in with `peg` if given."""
    due = timezone.now() - dt.timedelta(weeks=weeks_ago)
    check_in = CheckIn.objects.create(
        patient=patient,
        course=row,
        kind=kind,
        due_at=due,
        closes_at=due + dt.timedelta(days=open_days),
    )
    if peg is not None:
        CheckIn.objects.filter(pk=check_in.pk).update(
            completed_at=due + dt.timedelta(hours=1), scores={"peg": peg}
        )
        check_in.refresh_from_db()
    return check_in
