"""Staff pages for a course of infusions: plan (rules → the proposal and two alternatives
on one screen), book the chosen series in one step, and the course page (its infusions,
cancel with a reason and a confirmation, undo within minutes).

The series shown is what is booked: each option carries its exact times, chairs and
supervisors in a signed token, so a re-plan between showing and booking cannot swap it.
"""

import datetime as dt

from django.contrib import messages
from django.core import signing
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

from . import course, course_selectors, course_services
from .course_forms import CancelCourseForm, CourseSettingsForm, PlanCourseForm
from .models import Chair, Course, Provider
from .timefmt import format_when, patient_zone

_SALT = "consultations.course.plan"
TOKEN_MAX_AGE = 3600


def _patient(pk) -> User:
    return get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)


def _token(series: course.Series, rules: course.SeriesRules, booster: bool = False) -> str:
    return signing.dumps(
        {
            "booster": booster,
            "rules": PlanCourseForm.initial_from(rules)
            | {"first_date": rules.first_date.isoformat()},
            "label": series.label,
            "infusions": [
                [
                    i.start.isoformat(),
                    i.end.isoformat(),
                    i.chair_end.isoformat(),
                    i.chair_id,
                    i.provider_id,
                ]
                for i in series.infusions
            ],
        },
        salt=_SALT,
    )


def _from_token(token: str) -> tuple[course.Series, course.SeriesRules, bool]:
    data = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    r = data["rules"]
    rules = course.SeriesRules(
        count=r["count"],
        first_date=dt.date.fromisoformat(r["first_date"]),
        window_days=r["window_days"],
        weekdays_only=r["weekdays_only"],
        min_gap_days=r["min_gap_days"],
        preferred_times=frozenset(r["preferred_times"]),
    )
    infusions = tuple(
        course.PlannedInfusion(
            dt.datetime.fromisoformat(s),
            dt.datetime.fromisoformat(e),
            dt.datetime.fromisoformat(c),
            chair,
            provider,
        )
        for s, e, c, chair, provider in data["infusions"]
    )
    return course.Series(infusions, data["label"]), rules, bool(data.get("booster"))


def _shown(plan: course.Plan | None, rules, patient, booster=False) -> list[dict]:
    """Each option with its rows in words (the patient's time, chair and supervisor names)."""
    if plan is None or not plan.ok:
        return []
    chair_ids = {i.chair_id for o in plan.options for i in o.infusions}
    provider_ids = {i.provider_id for o in plan.options for i in o.infusions}
    chairs = dict(Chair.objects.filter(pk__in=chair_ids).values_list("pk", "name"))
    providers = dict(Provider.objects.filter(pk__in=provider_ids).values_list("pk", "display_name"))
    zone = patient_zone(patient)
    return [
        {
            "label": option.label,
            "token": _token(option, rules, booster),
            "rows": [
                {
                    "when": format_when(i.start, zone),
                    "chair": chairs.get(i.chair_id, ""),
                    "supervisor": providers.get(i.provider_id, ""),
                    "until": format_when(i.chair_end, zone, with_clinic=False),
                }
                for i in option.infusions
            ],
        }
        for option in plan.options
    ]


def _plan_page(request, patient, form, plan=None, rules=None, error="", booster=False):
    outcome = course_selectors.latest_outcome(patient)
    context = {
        "patient": patient,
        "form": form,
        "booster": booster,
        "ready": bool(outcome and outcome.lets_staff_plan),
        "plan": plan,
        "options": _shown(plan, rules, patient, booster),
        "error": error,
        "courses": Course.objects.filter(patient=patient, status=Course.Status.ACTIVE),
    }
    return render(request, "consultations/staff/course_plan.html", context)


@require("manage_bookings")
def plan(request, patient_pk):
    """The rules form; with its values, the proposal and two alternatives (no writes).

    With ?booster=1 it plans one booster infusion the same way (the patient's last series
    is its parent)."""
    patient = _patient(patient_pk)
    reads.viewed(request, patient)  # the page shows the patient's courses and preferences
    booster = request.GET.get("booster") == "1"
    now = timezone.now()
    infusion = course_selectors.infusion_type()  # read once for the defaults and the plan
    defaults = course_services.default_rules(
        patient=patient, now=now, count=1 if booster else None, infusion=infusion
    )
    earliest = {"earliest": defaults.first_date, "booster": booster}
    if "count" not in request.GET:
        form = PlanCourseForm(initial=PlanCourseForm.initial_from(defaults), **earliest)
        return _plan_page(request, patient, form, booster=booster)
    form = PlanCourseForm(request.GET, **earliest)
    if not form.is_valid():
        return _plan_page(request, patient, form, booster=booster)
    rules = form.rules()
    result = course_services.plan_course(patient=patient, rules=rules, now=now, infusion=infusion)
    return _plan_page(request, patient, form, plan=result, rules=rules, booster=booster)


@require("manage_bookings")
@require_POST
def book(request, patient_pk):
    """Book the series shown: all its infusions in one transaction, or none."""
    patient = _patient(patient_pk)
    try:
        series, rules, booster = _from_token(request.POST.get("plan", ""))
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        messages.error(request, "That plan is too old to book. Here are the times free now.")
        return redirect("schedule:course_plan", patient_pk=patient.pk)
    form = PlanCourseForm(
        data=PlanCourseForm.initial_from(rules) | {"first_date": rules.first_date.isoformat()},
        earliest=rules.first_date,
        booster=booster,
    )
    form.is_valid()
    kind = Course.Kind.BOOSTER if booster else Course.Kind.SERIES
    parent = (
        Course.objects.filter(patient=patient, kind=Course.Kind.SERIES).order_by("-pk").first()
        if booster
        else None
    )
    try:
        booked = course_services.book_course(
            patient=patient,
            series=series,
            rules=rules,
            actor=request.user,
            kind=kind,
            parent=parent,
        )
    except course_services.SeriesTaken as taken:
        return _plan_page(
            request, patient, form, plan=taken.plan, rules=rules, error=str(taken), booster=booster
        )
    except course_services.BookingError as refusal:
        return _plan_page(request, patient, form, error=str(refusal), booster=booster)
    what = "a booster infusion" if booster else f"{rules.count} infusions"
    messages.success(request, f"Booked: {what} for {patient.get_full_name()}.")
    return redirect("schedule:course", pk=booked.pk)


def _course_page(request, course_row, cancel_form=None, status_code=200):
    zone = patient_zone(course_row.patient)
    infusions = [
        (a, format_when(a.start, zone)) for a in course_selectors.course_infusions(course_row)
    ]
    now = timezone.now()
    undoable = (
        course_row.status == Course.Status.CANCELLED
        and course_row.cancelled_at is not None
        and now - course_row.cancelled_at <= course_services.UNDO_WINDOW
    )
    context = {
        "course": course_row,
        "patient": course_row.patient,
        "infusions": infusions,
        "cancel_form": cancel_form or CancelCourseForm(),
        "undoable": undoable,
    }
    return render(request, "consultations/staff/course_detail.html", context, status=status_code)


@require("manage_bookings")
def detail(request, pk):
    """The course: its infusions (times, chairs, supervisors, status) and what can be done."""
    course_row = get_object_or_404(Course.objects.select_related("patient"), pk=pk)
    reads.viewed(request, course_row)
    return _course_page(request, course_row)


@require("manage_bookings")
@require_POST
def cancel(request, pk):
    """Cancel the course's future infusions: a reason and a ticked confirmation first."""
    course_row = get_object_or_404(Course.objects.select_related("patient"), pk=pk)
    form = CancelCourseForm(request.POST)
    if not form.is_valid():
        return _course_page(request, course_row, cancel_form=form, status_code=400)
    try:
        cancelled = course_services.cancel_course(
            course_row=course_row,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except course_services.BookingError as refusal:
        messages.error(request, str(refusal))
        return redirect("schedule:course", pk=course_row.pk)
    messages.success(
        request,
        f"Course cancelled: {len(cancelled)} infusions and their reminders. "
        "You can undo this for 10 minutes.",
    )
    return redirect("schedule:course", pk=course_row.pk)


@require("manage_bookings")
@require_POST
def undo_cancel(request, pk):
    course_row = get_object_or_404(Course, pk=pk)
    try:
        course_services.undo_cancel_course(course_row=course_row, actor=request.user)
    except course_services.BookingError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The course and its infusions are booked again.")
    return redirect("schedule:course", pk=course_row.pk)


@require("manage_clinic_settings")
def course_settings(request):
    """A section of the clinic settings area: course defaults and the preparation text."""
    current = settings_services.course_values(ClinicSettings.load())
    form = CourseSettingsForm(request.POST or None, initial=current)
    context = {"form": form, "loaded": page_loaded_token(request, current)}
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.update_course_settings(
                values=form.cleaned_data, actor=request.user, loaded=posted_loaded(request.POST)
            )
        except settings_services.SettingsConflict as conflict:
            context |= conflict_context(conflict)
        else:
            messages.success(request, "Course settings saved.")
            return redirect("clinic_settings:courses")
    return render(request, "consultations/staff/course_settings.html", context)
