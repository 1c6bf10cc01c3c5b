"""Check-ins and booster requests: the patient's pages and the staff's.

A patient only ever finds her own check-ins (another's is a 404). Staff see when each was
due and whether it was filled in; only clinicians see the answers and scores.
"""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.audit import reads
from clinic.core import settings_services
from clinic.core.models import ClinicSettings
from clinic.core.settings_forms import conflict_context, page_loaded_token, posted_loaded

from . import booster_services, boosters, checkin_services
from .checkin_forms import SIDE_EFFECTS, BoosterIntervalForm, CheckInForm
from .models import Appointment, BoosterRequest, BoosterSnooze, CheckIn
from .timefmt import format_when, patient_zone


def _own_check_in(request, pk) -> CheckIn:
    return get_object_or_404(
        CheckIn.objects.select_related("appointment"), pk=pk, patient=request.user
    )


def _after_infusion(check_in: CheckIn) -> bool:
    """Side effects are asked before every infusion but the course's first."""
    if check_in.appointment is None:
        return True
    return Appointment.objects.filter(
        patient=check_in.patient_id,
        kind="infusion",
        status=Appointment.Status.COMPLETED,
        start__lt=check_in.appointment.start,
    ).exists()


@require("use_patient_portal")
def check_in(request, pk):
    row, now = _own_check_in(request, pk), timezone.now()
    correcting = checkin_services.may_correct(row, now)
    if not (row.is_open(now) or correcting):
        return render(request, "consultations/checkin_closed.html", _row_context(row, now))
    form_kwargs = {"kind": row.kind, "after_infusion": _after_infusion(row)}
    if request.method != "POST":
        initial = CheckInForm.initial_from(row.answers) if correcting else None
        form = CheckInForm(initial=initial, **form_kwargs)
        return render(request, "consultations/checkin.html", _form_context(row, form, now))
    form = CheckInForm(request.POST, **form_kwargs)
    if not form.is_valid():
        context = _form_context(row, form, now)
        return render(request, "consultations/checkin.html", context, status=400)
    try:
        answered = checkin_services.submit_check_in(
            check_in=row, answers=form.answers(), actor=request.user
        )
    except checkin_services.CheckInError:
        return render(request, "consultations/checkin_closed.html", _row_context(row, now))
    if answered.crisis:
        return redirect("consultations:checkin_support", pk=row.pk)
    messages.success(
        request, "Thank you: your answers are saved and the clinical team will see them."
    )
    return redirect("consultations:checkins")


def _row_context(row: CheckIn, now) -> dict:
    zone = patient_zone(row.patient)
    return {
        "check_in": row,
        "missed": row.is_missed(now),
        "closes": format_when(row.closes_at, zone, with_clinic=False) if row.closes_at else "",
    }


def _form_context(row, form, now) -> dict:
    return {
        **_row_context(row, now),
        "form": form,
        "correcting": row.is_completed,
        "errors": [
            (f"id_{name}", form.fields[name].label, errors[0])
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        + [("", "Your answers", e) for e in form.non_field_errors()],
        "groups": [
            (code, legend, [form[name] for name in names]) for code, legend, names in form.groups
        ],
    }


@require("use_patient_portal")
def support(request, pk):
    """Straight after a check-in with PHQ-9 item 9 above 0: crisis resources first."""
    _own_check_in(request, pk)
    return render(request, "consultations/checkin_support.html")


@require("use_patient_portal")
def my_check_ins(request):
    now = timezone.now()
    rows = list(CheckIn.objects.filter(patient=request.user, due_at__lte=now).order_by("-due_at"))
    zone = patient_zone(request.user)
    booster = next(iter(booster_services.booster_prompts(patient=request.user, now=now)), None)
    context = {
        "open": [(r, _when(r.closes_at, zone)) for r in rows if r.is_open(now)],
        "done": [
            (r, _when(r.completed_at, zone), checkin_services.may_correct(r, now))
            for r in rows
            if r.is_completed
        ],
        "missed": [(r, _when(r.due_at, zone)) for r in rows if r.is_missed(now)],
        "may_request_booster": booster is not None and booster.last_infusion_end is not None,
        "open_request": BoosterRequest.objects.open().filter(patient=request.user).first(),
    }
    return render(request, "consultations/checkin_list.html", context)


def _when(value, zone) -> str:
    return format_when(value, zone, with_clinic=False) if value else ""


@require("use_patient_portal")
def request_booster(request):
    """GET asks "are you sure?"; POST records the request and tells the clinic."""
    if request.method != "POST":
        return render(request, "consultations/checkin_booster_confirm.html")
    try:
        booster_services.request_booster(patient=request.user)
    except booster_services.AlreadyRequested:
        messages.info(request, "You have already asked for a booster. The clinic will call you.")
    except booster_services.NoCourse:
        messages.error(request, "A booster follows a course of infusions. Please call us.")
    else:
        messages.success(
            request,
            "Thank you: the clinic has your request and will contact you to book a time.",
        )
    return redirect("consultations:checkins")


@require("use_patient_portal")
@require_POST
def withdraw_booster(request, pk):
    booster_request = get_object_or_404(BoosterRequest, pk=pk, patient=request.user)
    try:
        booster_services.withdraw_booster_request(
            booster_request=booster_request, actor=request.user
        )
    except booster_services.NotOpen:
        messages.info(request, "That request was already answered by the clinic.")
    else:
        messages.success(request, "Your booster request is withdrawn. You can ask again any time.")
    return redirect("consultations:checkins")


# ------------------------------------------------------------------------ staff


def _patient(pk) -> User:
    return get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)


@require("view_staff_dashboard")
def staff_check_ins(request, patient_pk):
    patient, now = _patient(patient_pk), timezone.now()
    clinical = request.user.has_perm("accounts.view_clinical_answers")
    rows = list(
        CheckIn.objects.filter(patient=patient).select_related("appointment").order_by("-due_at")
    )
    reads.viewed(request, patient)
    outcome = booster_services.outcomes_for([patient.pk], now=now)[patient.pk] if clinical else None
    context = {
        "patient": patient,
        "clinical": clinical,
        "rows": [(r, _status(r, now)) for r in rows],
        "outcome": outcome,
        "side_effect_labels": dict(SIDE_EFFECTS),
    }
    return render(request, "consultations/staff/checkins.html", context)


def _status(row: CheckIn, now) -> str:
    if row.is_completed:
        return "Filled in"
    if row.is_missed(now):
        return "Missed"
    return "Open" if row.is_open(now) else "Not due yet"


@require("manage_bookings")
def booster_list(request):
    """Patients to offer a booster to: relief fading, the clinic's interval, or asked."""
    clinical = request.user.has_perm("accounts.view_clinical_answers")
    texts = boosters.REASON_TEXT if clinical else boosters.REASON_TEXT_FRONT_DESK
    found = [b for b in booster_services.booster_prompts() if b.prompt.shown or b.snooze]
    reads.listed(request, [b.patient for b in found])
    rows = [(b, [texts[r] for r in b.prompt.reasons]) for b in found]
    context = {"rows": rows, "clinical": clinical, "today": timezone.localdate()}
    return render(request, "consultations/staff/boosters.html", context)


@require("manage_bookings")
@require_POST
def booster_snooze(request, patient_pk):
    patient = _patient(patient_pk)
    reason = request.POST.get("reason", "")
    try:
        until = dt.date.fromisoformat(request.POST.get("until", ""))
    except ValueError:
        until = None
    if until is None or until <= timezone.localdate() or not reason.strip():
        messages.error(request, "To set the prompt aside, give a future date and a reason.")
        return redirect("schedule:boosters")
    booster_services.snooze_booster_prompt(
        patient=patient, until=until, reason=reason[:200], actor=request.user
    )
    messages.success(
        request, f"Booster prompt for {patient.get_full_name()} set aside until {until:%B %-d}."
    )
    return redirect("schedule:boosters")


@require("manage_bookings")
@require_POST
def booster_unsnooze(request, pk):
    snooze = get_object_or_404(BoosterSnooze, pk=pk)
    booster_services.withdraw_snooze(snooze=snooze, actor=request.user)
    messages.success(request, "The booster prompt is back on the list.")
    return redirect("schedule:boosters")


@require("manage_bookings")
@require_POST
def booster_decline(request, pk):
    booster_request = get_object_or_404(BoosterRequest, pk=pk)
    try:
        booster_services.decline_booster_request(
            booster_request=booster_request,
            actor=request.user,
            reason=request.POST.get("reason", "")[:200],
        )
    except booster_services.NotOpen:
        messages.info(request, "That request was already answered.")
    except booster_services.BoosterError as refused:
        messages.error(request, f"Not saved: {refused}")
    else:
        messages.success(request, "The request is answered and off the list.")
    return redirect("schedule:boosters")


@require("manage_clinic_settings")
def booster_settings(request):
    """A section of the clinic settings area (`clinic_settings:boosters`)."""
    current = settings_services.booster_values(ClinicSettings.load())
    form = BoosterIntervalForm(request.POST or None, initial=current)
    context = {"form": form, "loaded": page_loaded_token(request, current)}
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.update_booster_interval(
                weeks=form.cleaned_data["booster_interval_weeks"],
                actor=request.user,
                loaded=posted_loaded(request.POST),
            )
        except settings_services.SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(request, "Booster prompts saved.")
            return redirect("clinic_settings:boosters")
    return render(request, "consultations/staff/booster_settings.html", context)
