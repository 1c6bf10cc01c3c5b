"""The readings behind a patient's outcome chart, loaded in a fixed number of queries.

Baseline: the latest submitted intake's scores. Then every check-in of the patient (a
completed one is a reading; one left unanswered for a week after it was due is a missed
reading, a break in the line) and the infusions that have taken place.
"""

import datetime as dt

from django.utils import timezone

from consultations import charts
from consultations.models import Appointment, AppointmentStatus, CheckIn
from intake.models import Intake

# A check-in still unanswered this long after it was due counts as missed on the chart.
MISSED_AFTER = dt.timedelta(days=7)

PATIENT_LABELS = {
    CheckIn.Kind.PRE_INFUSION: "Before treatment",
    CheckIn.Kind.WEEK_1: "1 week after your treatments",
    CheckIn.Kind.WEEK_4: "4 weeks after your treatments",
    CheckIn.Kind.WEEK_12: "12 weeks after your treatments",
    CheckIn.Kind.MONTHLY: "Monthly check-in",
}
STAFF_LABELS = {
    CheckIn.Kind.PRE_INFUSION: "Before infusion",
    CheckIn.Kind.WEEK_1: "1-week check-in",
    CheckIn.Kind.WEEK_4: "4-week check-in",
    CheckIn.Kind.WEEK_12: "12-week check-in",
    CheckIn.Kind.MONTHLY: "Monthly check-in",
}
# Infusions that took place (or are under way): booked ones in the past count too, as the
# front desk may not have marked them completed yet; no-shows and cancellations do not.
HELD = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)


def baseline_values(intake) -> dict:
    """PEG, PHQ-9, GAD-7 and MME/day from an intake's score snapshot (missing stays out)."""
    scores = intake.scores or {}
    values = {
        key: (scores.get(code) or {}).get("value")
        for key, code in (("peg", "PEG"), ("phq9", "PHQ9"), ("gad7", "GAD7"))
    }
    values["mme"] = float(intake.mme_total) if intake.mme_total is not None else None
    return {k: v for k, v in values.items() if v is not None}


def readings_for(patient, *, now, audience: str = charts.STAFF):
    """(readings, infusion dates) of one patient: three queries."""
    zone = timezone.get_current_timezone()
    labels = PATIENT_LABELS if audience == charts.PATIENT else STAFF_LABELS
    readings = []
    intake = (
        Intake.objects.filter(patient=patient, submitted_at__isnull=False)
        .only("submitted_at", "scores", "mme_total")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if intake is not None:
        readings.append(
            charts.Reading(
                day=intake.submitted_at.astimezone(zone).date(),
                label="Your first questionnaire" if audience == charts.PATIENT else "Intake",
                values=baseline_values(intake),
                baseline=True,
            )
        )
    held = list(
        Appointment.objects.filter(
            patient=patient, kind="infusion", status__in=HELD, start__lte=now
        ).values_list("pk", "start")
    )
    # Numbered as the chart numbers them: the patient's infusions in date order.
    number = {pk: n for n, (pk, _start) in enumerate(sorted(held, key=lambda r: r[1]), start=1)}
    for check_in in CheckIn.objects.filter(patient=patient).only(
        "kind", "due_at", "completed_at", "scores", "appointment_id"
    ):
        label = labels.get(check_in.kind, check_in.get_kind_display())
        if check_in.appointment_id in number:
            label = f"{label} {number[check_in.appointment_id]}"
        if check_in.completed_at is not None:
            day = check_in.completed_at.astimezone(zone).date()
            readings.append(charts.Reading(day, label, values=dict(check_in.scores or {})))
        elif check_in.due_at + MISSED_AFTER < now:
            day = check_in.due_at.astimezone(zone).date()
            readings.append(charts.Reading(day, label, missed=True))
    infusions = [start.astimezone(zone).date() for _pk, start in held]
    return readings, infusions


def patient_chart(patient, *, audience: str = charts.STAFF, id_prefix: str = "outcomes"):
    """The patient's chart for staff (clinical labels) or for the patient (plain words)."""
    now = timezone.now()
    readings, infusions = readings_for(patient, now=now, audience=audience)
    if not any(not r.baseline for r in readings) and not infusions:
        return None  # an intake alone is no course to chart
    return charts.build_chart(readings, infusions, audience=audience, id_prefix=id_prefix)
