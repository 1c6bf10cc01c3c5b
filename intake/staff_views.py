"""Staff pages: the review queue, one intake's review page and its actions, and the clinic
settings sections the intake owns (screening policy, consent text)."""

import datetime as dt
import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.core import rendered
from clinic.core.exports import csv_response
from clinic.core.redirects import safe_next
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded
from clinic.core.settings_services import SettingsConflict
from clinic.documents import services as documents

from . import (
    checklist,
    checklist_services,
    history,
    printing,
    review,
    review_page,
    scoring,
    settings_services,
    staff_forms,
    summary,
    units,
)
from . import context_processors as urgent
from .display import answered_sections, score_rows
from .filters import ABANDONED, AWAITING, filter_for, rendered_fields, with_status
from .models import (
    AWAITING_REVIEW,
    ConsentText,
    Intake,
    IntakeFlag,
    IntakeStatusCount,
    UrgentAlert,
)
from .questionnaire import visible_answers
from .tables import queue_table, status_tabs, triage_badge

# What coordinators see of an intake: how to reach the patient, never clinical answers.
CONTACT_KEYS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "mobile_phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "reminder_channel",
    "sms_consent",
    # The front desk checks coverage and calls the pharmacy (the care step).
    "payment",
    "insurance_name",
    "insurance_member_id",
    "insurance_group",
    "insurance_subscriber",
    "insurance_subscriber_name",
    "pharmacy_name",
    "pharmacy_phone",
    "pharmacy_city",
)

logger = logging.getLogger(__name__)


@require("view_staff_dashboard")
def dashboard(request):
    data = with_status(request.GET)
    intake_filter = filter_for(request.user, data, Intake.objects.all())
    counts = _status_counts()
    table = queue_table(
        request.user, intake_filter.qs, data, count=_known_count(intake_filter, counts)
    )
    reads.listed_patients(request, table.patient_ids)
    awaiting_count = sum(n for value, _label, n in counts if value in AWAITING_REVIEW)
    return render(
        request,
        "staff/dashboard.html",
        {
            "filter": intake_filter,
            "filter_fields": rendered_fields(intake_filter.form),
            "table": table,
            "counts": counts,
            "tabs": status_tabs(counts, data["status"], AWAITING, awaiting_count),
            "status": data["status"],
            "awaiting": AWAITING,
        },
    )


STATUSES = tuple(Intake.Status.values)


def _status_counts() -> list[tuple[str, str, int]]:
    """(status value, label, count) for every status, plus abandoned; two small queries.

    The per-status counts are the rows the database keeps (IntakeStatusCount): counting
    the table, even over an index, grows with it (150-200 ms at 100,000 intakes). The
    abandoned count (in progress, untouched for a week) depends on the clock, so it is
    counted, over the (status, updated_at) index, which holds only the in-progress rows
    it needs to look at.
    """
    # By key, each status shown: the triggers' updates leave the few rows scattered over a
    # table of mostly dead space (5 MB for six rows after 100,000 inserts), which a full
    # scan reads through (1.5 ms) and the key's index skips (0.05 ms).
    totals = dict(IntakeStatusCount.objects.filter(status__in=STATUSES).values_list("status", "n"))
    totals[ABANDONED] = Intake.objects.abandoned(timezone.now()).count()
    rows = [(value, label, totals.get(value, 0)) for value, label in Intake.Status.choices]
    rows.insert(1, (ABANDONED, "Abandoned", totals[ABANDONED]))
    return rows


def _known_count(intake_filter, counts) -> int | None:
    """How many intakes the queue lists, from the status counts, when it is filtered by
    status alone (every tab, every page and sort of it); None when a search or another
    filter narrows it and the paginator must count."""
    form = intake_filter.form
    if not form.is_valid():
        return None
    if any(value for name, value in form.cleaned_data.items() if name != "status"):
        return None
    by_status = {value: n for value, _label, n in counts}
    status = form.cleaned_data.get("status")
    if status == AWAITING:
        return sum(by_status.get(value, 0) for value in AWAITING_REVIEW)
    if not status:
        return sum(n for value, n in by_status.items() if value != ABANDONED)
    return by_status.get(status)


def _get_intake_for_staff(pk) -> Intake:
    # The policy too: the review page prints its version.
    intakes = Intake.objects.select_related("patient", "assigned_to", "screening_policy")
    return get_object_or_404(intakes, pk=pk)


def _detail_context(request, pk, bound=None, checklist_error=None):
    """The review page's context; everything it shows read in one round trip (review_page),
    only what this user may see."""
    # The alerts banner's probe rides along (one round trip fewer on every review).
    page = review_page.load(pk, request.user, also=(urgent.alert_probe(),))
    urgent.probed(request, page.also[0])
    intake, clinical, reviewer = page.intake, page.clinical, page.reviewer
    answers = (
        intake.answers
        if clinical
        else {k: v for k, v in intake.answers.items() if k in CONTACT_KEYS}
    )
    # Which questions the intake's answers show, worked out once for the answers and the
    # scores (a clinician's answers are the intake's own).
    seen = {}
    sections = answered_sections(answers, None if clinical else ("about", "care"), seen=seen)
    if not clinical:
        sections = [_only_contact(s) for s in sections]
    context = {
        "intake": intake,
        "sections": sections,
        "clinical": clinical,
        "reviewer": reviewer,
        # The events were read with the page (the history, and whether a decision was
        # reopened, read them: no query).
        "events": history.visible_events(intake, request.user),
        "viewers": page.viewers,
        "actions": review.allowed_actions(intake),
        "triage": triage_badge(intake.triage),
        "previous": page.previous,
        # Only a reviewer sees them: no clinician list read for anyone else. `forms`: the
        # forms posted with errors (the page opens their <details>).
        "form_html": _action_forms(page, bound or {}) if reviewer else {},
        "forms": bound or {},
        "age": units.age_on(_birth_date(intake), timezone.localdate()),
        "documents_panel": documents.panel(
            user=request.user,
            patient=intake.patient,
            back=reverse("staff:intake", args=[intake.pk]),
            documents=page.documents,
        ),
    }
    if clinical:
        shown = visible_answers(intake.answers, seen)
        # The flags were read with the page, so the approve button's two looks at the open
        # stop flags (Intake.open_stop_flags reads intake.flags.all()) are not a query each.
        flags = page.flags
        context.update(
            {
                "flags": flags,
                "scores": score_rows(scoring.score_all(shown), shown),
                "mme": scoring.compute_mme(shown.get("opioids") or []),
                "body": _body(intake, shown),
                "checklist": [
                    {**row, "error": (checklist_error or {}).get(row["item"].code)}
                    for row in checklist_services.checklist_rows(intake, flags, page.checklist)
                ],
            }
        )
    return context


def _birth_date(intake) -> dt.date | None:
    """The stored date of birth, else the answer (an intake not yet submitted)."""
    try:
        return intake.date_of_birth or dt.date.fromisoformat(intake.answers.get("date_of_birth"))
    except (TypeError, ValueError):
        return None


def _body(intake, answers) -> dict:
    """Height, weight (stored metric; derived from the answers for older intakes) and BMI."""
    height, weight = intake.height_cm, intake.weight_kg
    if height is None or weight is None:
        height, weight = units.body_metrics(answers)
    return {"height_cm": height, "weight_kg": weight, "bmi": units.bmi(height, weight)}


def _only_contact(block):
    items = tuple(i for i in block.items if i.question.key in CONTACT_KEYS)
    return type(block)(block.section, items)


ACTION_FORMS = {
    "assign": staff_forms.AssignForm,
    "request_info": staff_forms.RequestInfoForm,
    "decline": staff_forms.DeclineForm,
    "refer": staff_forms.ReferForm,
    "note": staff_forms.NoteForm,
}


def _action_forms(page, bound) -> dict[str, str]:
    """Each action form's HTML: a form `bound` with what was posted drawn afresh (typed
    text, errors), the empty ones from a per-process cache by what they show (the choices
    the page read, the clinician assigned): built only when not drawn before."""
    shows = {
        "assign": (
            tuple((c.pk, str(c)) for c in page.clinicians),
            page.intake.assigned_to_id,
        ),
        "decline": tuple((t.pk, str(t)) for t in page.templates),
    }
    html = {}
    for name, cls in ACTION_FORMS.items():
        if name in bound:
            html[name] = rendered.crispy_form(bound[name])
            continue
        key = (name, shows.get(name))
        html[name] = _EMPTY_FORMS.get(key)
        if html[name] is None:
            html[name] = _EMPTY_FORMS[key] = rendered.crispy_form(_empty_form(page, name, cls))
            while len(_EMPTY_FORMS) > 64:
                _EMPTY_FORMS.pop(next(iter(_EMPTY_FORMS)))
    return html


_EMPTY_FORMS: dict = {}


def _empty_form(page, name: str, cls):
    if name == "assign":
        initial = {"clinician": page.intake.assigned_to}
        return cls(prefix=name, initial=initial, clinicians=page.clinicians)
    if name == "decline":
        return cls(prefix=name, templates=page.templates)
    return cls(prefix=name)


@require("view_staff_dashboard")
def intake_detail(request, pk):
    context = _detail_context(request, pk)
    reads.viewed(request, context["intake"])
    return render(request, "staff/intake.html", context)


def _run(request, intake, action, form):
    data, actor = form.cleaned_data if form else {}, request.user
    if action == "assign":
        review.assign(intake=intake, clinician=data["clinician"], actor=actor)
    elif action == "start_review":
        review.start_review(intake=intake, actor=actor)
    elif action == "request_info":
        review.request_more_info(intake=intake, actor=actor, **data)
    elif action == "approve":
        review.approve(intake=intake, actor=actor)
    elif action == "decline":
        review.decline(intake=intake, actor=actor, **data)
    elif action == "refer":
        review.refer(intake=intake, actor=actor, **data)
    elif action == "note":
        review.add_note(intake=intake, actor=actor, **data)


DONE = {
    "assign": "Assignment saved.",
    "start_review": "Review started.",
    "request_info": "The patient has been asked for more information.",
    "approve": "Approved for consultation. The patient has been told they can book.",
    "decline": "Declined. The patient sees the message in the portal.",
    "refer": "Referred elsewhere. The patient sees the message in the portal.",
    "note": "Note added.",
}


@require("review_intakes")
@require_POST
def intake_action(request, pk, action):
    intake = _get_intake_for_staff(pk)
    if action not in DONE:
        raise Http404("No such action")
    form = ACTION_FORMS[action](request.POST, prefix=action) if action in ACTION_FORMS else None
    if form is not None and not form.is_valid():
        messages.error(request, "Please check the form below.")
        context = _detail_context(request, intake.pk, bound={action: form})
        reads.viewed(request, context["intake"])
        return render(request, "staff/intake.html", context)
    try:
        _run(request, intake, action, form)
    except review.ApprovalBlocked as error:
        messages.error(request, f"{error} Still open: " + "; ".join(f.title for f in error.flags))
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        reads.changed(request, intake, action=f"review_{action}")
        messages.success(request, DONE[action])
    return redirect("staff:intake", pk=intake.pk)


@require("review_intakes")
@require_POST
def record_checklist(request, pk, code):
    intake = _get_intake_for_staff(pk)
    form = staff_forms.ChecklistForm(request.POST, prefix=f"check-{code}")
    try:
        if not form.is_valid():
            raise checklist_services.ChecklistError(" ".join(sum(form.errors.values(), [])))
        item = checklist_services.record_checklist(
            intake=intake,
            actor=request.user,
            code=code,
            to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except checklist_services.ChecklistError as error:
        typed = {"message": str(error), "note": request.POST.get(f"check-{code}-note", "")}
        context = _detail_context(request, intake.pk, checklist_error={code: typed})
        reads.viewed(request, context["intake"])
        return render(request, "staff/intake.html", context, status=400)
    reads.changed(request, item, action="checklist_recorded", patient=intake.patient)
    label = checklist.ITEM_BY_CODE[code].label
    messages.success(request, f"{label}: {item.get_status_display().lower()}.")
    return redirect(reverse("staff:intake", args=[intake.pk]) + "#checklist-h")


@require("review_intakes")
@require_POST
def clear_flag(request, pk, flag_pk):
    flags = IntakeFlag.objects.select_related("intake__patient")
    flag = get_object_or_404(flags, pk=flag_pk, intake_id=pk)
    form = staff_forms.ClearFlagForm(request.POST, prefix=f"flag{flag.pk}")
    if form.is_valid():
        review.clear_flag(flag=flag, actor=request.user, reason=form.cleaned_data["reason"])
        reads.changed(request, flag, action="flag_cleared", patient=flag.intake.patient)
        messages.success(request, f"Cleared: {flag.title}")
    else:
        messages.error(request, f"Say why “{flag.title}” can be cleared before clearing it.")
    return redirect("staff:intake", pk=pk)


@require("review_intakes")
@require_POST
def acknowledge_alert(request, alert_pk):
    alert = get_object_or_404(UrgentAlert.objects.select_related("intake__patient"), pk=alert_pk)
    form = staff_forms.AcknowledgeForm(request.POST, prefix=f"alert{alert.pk}")
    if form.is_valid():
        review.acknowledge_alert(alert=alert, actor=request.user, **form.cleaned_data)
        reads.changed(request, alert, action="alert_acknowledged", patient=alert.intake.patient)
        messages.success(request, "Alert acknowledged and recorded.")
    else:
        messages.error(request, "Record what was done before acknowledging the alert.")
    return redirect(safe_next(request, reverse("staff:intake", args=[alert.intake_id])))


@require("manage_clinic_settings")
def consent_text(request):
    current = ConsentText.current()
    initial = settings_services.consent_values(current)
    form = staff_forms.ConsentTextForm(request.POST or None, initial=initial if current else {})
    context = {"loaded": page_loaded_token(request, initial)}
    if request.method == "POST" and form.is_valid():
        try:
            row = settings_services.publish_consent_text(
                author=request.user, loaded=posted_loaded(request.POST), **form.cleaned_data
            )
        except SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(
                request,
                f"Consent version {row.version} published for new signatures."
                if row
                else f"Nothing changed: consent version {current.version} stays in use.",
            )
            return redirect("clinic_settings:consent_text")
    versions = ConsentText.objects.select_related("created_by")[:20]
    context |= {"form": form, "current": current, "versions": versions}
    return render(request, "staff/consent.html", context)


@require("view_clinical_answers")
def intake_summary_pdf(request, pk):
    """The 2-3 page printed summary; patient, birth date, clinic and page on every page."""
    intake = _get_intake_for_staff(pk)
    context = {"summary": summary.build_summary(intake=intake, user=request.user)}
    context["printed_at"] = timezone.now()
    html = render_to_string("staff/intake_summary_pdf.html", context, request=request)
    try:
        pdf = printing.pdf_from_html(html, stylesheet="intake/summary.css")
    except printing.PrintingUnavailable:
        logger.warning("PDF summary unavailable: WeasyPrint or pango is not installed")
        messages.error(
            request,
            "The PDF summary cannot be made on this server (its PDF library is not "
            "installed). Use your browser's Print on the review page instead.",
        )
        return redirect("staff:intake", pk=intake.pk)
    reads.viewed(request, intake)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="intake-{intake.pk}-summary.pdf"'
    return response


@require("view_clinical_answers")
def intake_export(request, pk):
    """Scores, flags, MME and decision, then every answer, as CSV (section, key, label, value)."""
    intake = _get_intake_for_staff(pk)
    reads.exported(request, intake)
    rows = summary.csv_rows(summary.build_summary(intake=intake, user=request.user))
    rows += [
        [
            block.section.title,
            item.question.key,
            item.question.label,
            "; ".join(item.rows) if item.rows else item.text,
        ]
        for block in answered_sections(intake.answers)
        for item in block.items
    ]
    return csv_response(
        f"intake-{intake.pk}.csv", ["section", "question_key", "question", "answer"], rows
    )
