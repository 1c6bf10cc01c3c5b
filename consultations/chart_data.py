"""The readings behind a patient's outcome chart, loaded in a fixed number of queries.

Baseline: the latest submitted intake's scores. Then every check-in of the patient (a
completed one is a reading; one left unanswered for a week after it was due is a missed
reading, a break in the line) and the infusions that have taken place. The words above the
chart come from consultations.outcomes, the same rule the cohort page and boosters use.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from consultations import charts, outcomes
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


@dataclass(frozen=True)
class PatientReadings:
    readings: list
    infusions: list
    baseline: outcomes.Measures
    # Every check-in that is answered or counted as missed, in due order (for outcomes).
    follow_ups: list


def readings_for(patient, *, now, audience: str = charts.STAFF) -> PatientReadings:
    """One patient's baseline, check-ins and infusions: three queries."""
    zone = timezone.get_current_timezone()
    labels = PATIENT_LABELS if audience == charts.PATIENT else STAFF_LABELS
    readings, follow_ups = [], []
    baseline = outcomes.Measures()
    intake = (
        Intake.objects.filter(patient=patient, submitted_at__isnull=False)
        .only("submitted_at", "scores", "mme_total", "answers")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if intake is not None:
        baseline = outcomes.baseline_from_intake(
            intake.scores or {}, intake.mme_total, (intake.answers or {}).get("takes_opioids")
        )
        values = {k: v for k, v in dataclasses.asdict(baseline).items() if v is not None}
        readings.append(
            charts.Reading(
                day=intake.submitted_at.astimezone(zone).date(),
                label="Your first questionnaire" if audience == charts.PATIENT else "Intake",
                values=values,
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
            measures = outcomes.measures_from_check_in(check_in.scores or {})
        elif check_in.due_at + MISSED_AFTER < now:
            day = check_in.due_at.astimezone(zone).date()
            readings.append(charts.Reading(day, label, missed=True))
            measures = outcomes.Measures()
        else:
            continue  # still open: neither a reading nor a gap yet
        follow_ups.append(outcomes.FollowUp(check_in.due_at, measures))
    infusions = [start.astimezone(zone).date() for _pk, start in held]
    return PatientReadings(readings, infusions, baseline, follow_ups)


def status_text(outcome: outcomes.Outcome, *, audience: str) -> str:
    """The outcome in one line: clinical words for staff, plain ones for the patient."""
    peg = outcome.peg
    if audience == charts.PATIENT:
        if peg.percent is None:
            return ""
        if peg.percent < 0:
            return f"Your latest pain score is {abs(peg.percent):g}% lower than when you started."
        if peg.percent > 0:
            return f"Your latest pain score is {peg.percent:g}% higher than when you started."
        return "Your latest pain score is the same as when you started."
    if outcome.response == outcomes.Response.UNKNOWN:
        text = f"Response not known yet. {outcome.reason}".strip()
        if outcome.best_response.is_responder:
            text += f" Best so far: {outcome.best_response.label}."
    else:
        text = (
            f"{outcome.response.label}: PEG {peg.current:g} against {peg.baseline:g} at "
            f"baseline ({peg.percent:+g} %)."
        )
    if outcome.relief_fading:
        text += " Relief fading: more than half of the PEG gain is lost (consider a booster)."
    return text


def patient_chart(patient, *, audience: str = charts.STAFF, id_prefix: str = "outcomes"):
    """The patient's chart for staff (clinical labels) or for the patient (plain words);
    None while there is nothing but the intake to show."""
    data = readings_for(patient, now=timezone.now(), audience=audience)
    if not any(not r.baseline for r in data.readings) and not data.infusions:
        return None
    outcome = outcomes.summarize(data.baseline, data.follow_ups)
    return charts.build_chart(
        data.readings,
        data.infusions,
        audience=audience,
        id_prefix=id_prefix,
        status=status_text(outcome, audience=audience),
    )
