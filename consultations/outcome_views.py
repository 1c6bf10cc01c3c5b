"""The consultation outcome page: clinicians record or correct it (form, then a
confirmation showing what the patient will read); every other staff role sees only the
decision, never the note, signs or tests."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.accounts.access import require
from clinic.audit import reads
from intake import checklist

from . import budapest, outcome_services
from .models import Appointment, ConsultationOutcome
from .outcome_forms import OutcomeForm

Decision = ConsultationOutcome.Decision
CLINICAL = ("accounts.view_clinical_answers", "accounts.review_intakes")


def _appointment(pk) -> Appointment:
    related = ("patient", "provider", "appointment_type", "location")
    return get_object_or_404(Appointment.objects.select_related(*related), pk=pk)


def _outcome(appointment) -> ConsultationOutcome | None:
    return (
        ConsultationOutcome.objects.filter(appointment=appointment)
        .select_related("decided_by", "message_template")
        .prefetch_related("revisions__decided_by", "revisions__superseded_by")
        .first()
    )


@require("view_staff_dashboard")
def outcome(request, pk):
    appointment = _appointment(pk)
    current = _outcome(appointment)
    reads.viewed(request, appointment)
    if not request.user.has_perms(CLINICAL):
        if request.method == "POST":
            raise PermissionDenied
        context = {"appointment": appointment, "outcome": current}
        return render(request, "consultations/staff/outcome_summary.html", context)
    return _clinical_page(request, appointment, current)


def _clinical_page(request, appointment, current):
    intake = outcome_services.latest_intake(appointment.patient)
    crps = outcome_services.crps_facts(intake)
    form = OutcomeForm(
        request.POST or None,
        correcting=current is not None,
        crps=crps.reported,
        initial=_initial(current),
    )
    status, template = 200, "consultations/staff/outcome.html"
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST" and request.POST.get("confirmed") == "yes":
        if done := _save(request, appointment, form):
            return done
        status = 409
    elif request.method == "POST" and "edit" not in request.POST:
        template = "consultations/staff/outcome_confirm.html"
    context = _context(appointment, current, form, crps)
    return render(request, template, context, status=status)


def _save(request, appointment, form):
    data = form.cleaned_data
    try:
        outcome_services.record_outcome(
            appointment=appointment,
            actor=request.user,
            decision=data["decision"],
            template=data["template"],
            note=data.get("note", ""),
            budapest_signs=data.get("budapest_signs", []),
            tests_needed=data.get("tests_needed", []),
            reason=data.get("reason", ""),
            version=data["version"],
        )
    except (outcome_services.OutcomeError, budapest.UnknownSign) as problem:
        form.add_error(None, str(problem) or "That sign is not one of the list.")
        return None
    messages.success(
        request,
        f"Outcome recorded for {appointment.patient}. They were emailed that there is an "
        "update in their portal. You can correct it on this page.",
    )
    return redirect(reverse("schedule:outcome", args=[appointment.pk]))


def _initial(current) -> dict:
    if current is None:
        return {"version": 0}
    return {
        "version": current.version,
        "decision": current.decision,
        "template": current.message_template_id,
        "tests_needed": current.tests_needed,
        "budapest_signs": current.budapest_signs,
        "note": current.note,
    }


def describe(decision: str, tests, signs) -> dict:
    """Labels for showing an outcome (current, a revision, or the one being confirmed)."""
    return {
        "decision": Decision(decision).label if decision in Decision.values else decision,
        "tests": [checklist.ITEM_BY_CODE[c].label for c in tests if c in checklist.ITEM_BY_CODE],
        "signs": [budapest.SIGN_LABEL.get(c, c) for c in signs],
    }


def _context(appointment, current, form, crps) -> dict:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    signs = data.get("budapest_signs", [])
    return {
        "appointment": appointment,
        "outcome": current,
        "form": form,
        "crps": crps,
        "may_record": outcome_services.may_have_outcome(appointment),
        "chosen": data and describe(data["decision"], data["tests_needed"], signs),
        "assessment": crps.assess(signs) if crps.reported else None,
        "shown": current
        and describe(current.decision, current.tests_needed, current.budapest_signs),
        "current_assessment": crps.assess(current.budapest_signs)
        if crps.reported and current
        else None,
        "revisions": [
            (r, describe(r.decision, r.tests_needed, r.budapest_signs))
            for r in (current.revisions.all() if current else [])
        ],
    }
