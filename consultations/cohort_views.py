"""The cohort page for clinicians: every infusion series summed up by evidence grade and
diagnosis, and the same table as CSV. Aggregates only, but from clinical scores: clinicians
only, and each view or download is audited with the patients it drew on."""

from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit.models import Action
from clinic.audit.services import record
from clinic.core.exports import csv_response
from consultations import cohort, outcomes
from consultations.models import CheckIn, Course
from intake.models import Intake
from intake.questionnaire.diagnoses import DIAGNOSIS_CHOICES

DIAGNOSIS_LABELS = {c.value: c.label for c in DIAGNOSIS_CHOICES}


def course_facts() -> list[cohort.CourseFacts]:
    """Every series not cancelled, with its patient's baseline and its check-ins: 3 queries."""
    series = Course.objects.filter(kind=Course.Kind.SERIES).exclude(status=Course.Status.CANCELLED)
    courses = list(series.values_list("pk", "patient_id"))
    intakes = {}
    for row in (
        Intake.objects.filter(
            patient_id__in=series.values("patient_id"), submitted_at__isnull=False
        )
        .order_by("submitted_at", "pk")
        .values("patient_id", "diagnosis_codes", "scores", "mme_total")
    ):
        intakes[row["patient_id"]] = row  # the latest submitted intake wins
    check_ins: dict[int, list[cohort.CheckInFacts]] = {}
    for row in (
        CheckIn.objects.filter(course__in=series)
        .exclude(kind=CheckIn.Kind.PRE_INFUSION)
        .values("course_id", "kind", "due_at", "completed_at", "scores")
    ):
        check_ins.setdefault(row["course_id"], []).append(
            cohort.CheckInFacts(
                row["kind"], row["due_at"], row["completed_at"] is not None, row["scores"] or {}
            )
        )
    facts = []
    for pk, patient_id in courses:
        intake = intakes.get(patient_id) or {}
        codes = tuple(c for c in (intake.get("diagnosis_codes") or "").split(",") if c)
        baseline = outcomes.baseline_from_intake(
            intake.get("scores") or {}, intake.get("mme_total")
        )
        facts.append(cohort.CourseFacts(pk, codes, baseline, tuple(check_ins.get(pk, ()))))
    return facts, {patient_id for _pk, patient_id in courses}


def _audit(request, action, patient_ids):
    if patient_ids:
        record(
            actor=request.user,
            action=action,
            request=request,
            patient_ids=patient_ids,
            detail={"report": "cohort"},
        )


@require("view_clinical_answers")
def cohort_page(request):
    facts, patient_ids = course_facts()
    summary = cohort.summarize(facts, now=timezone.now(), diagnosis_labels=DIAGNOSIS_LABELS)
    _audit(request, Action.LIST, patient_ids)
    return render(request, "consultations/staff/cohort.html", {"cohort": summary})


@require("view_clinical_answers")
def cohort_export(request):
    facts, patient_ids = course_facts()
    summary = cohort.summarize(facts, now=timezone.now(), diagnosis_labels=DIAGNOSIS_LABELS)
    _audit(request, Action.EXPORT, patient_ids)
    stamp = timezone.localdate().isoformat()
    return csv_response(f"outcomes-cohort-{stamp}.csv", cohort.CSV_HEADER, cohort.csv_rows(summary))
