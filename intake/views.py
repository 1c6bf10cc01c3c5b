"""Patient pages: the portal and the intake steps."""

import dataclasses
import functools
import json
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.core.formats import human_date
from clinic.core.prepared import Prepared
from consultations import chart_data
from consultations.selectors import patient_history, upcoming_for

from . import length, scoring, services, steps, timeline
from .display import answered_sections
from .drafts import EditState, conflict_notes, read_post
from .forms import (
    MEDICINE_FIELDS,
    form_class,
    form_data,
    medicine_readings,
    page_values,
    stored_form,
    stored_values,
)
from .medications import suggestions as medicine_suggestions
from .models import ConsentText, Intake

# Read on every step page: compiled once a process (clinic.core.prepared).
_OPEN_INTAKE = Prepared(lambda patient_id: Intake.objects.open().filter(patient_id=patient_id)[:1])


def _open_intake(request) -> Intake | None:
    return _OPEN_INTAKE.first(request.user.pk)


class _StepsClosed(Exception):
    """The intake's pages are closed (submitted, decided, or never started)."""


def _editable_intake(request) -> Intake:
    intake = _open_intake(request)
    if intake is None or not intake.is_editable_by_patient:
        raise _StepsClosed
    return intake


def _closed_to_portal(view):
    """A step opened after submitting (an old tab, a bookmark, the back button) lands on the
    portal with a word about where things stand, not on a 404 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _StepsClosed:
            submitted = Intake.objects.for_patient(request.user).exclude(
                status=Intake.Status.IN_PROGRESS
            )
            messages.info(
                request,
                "Your intake is already with the clinic, so its pages are closed. Here is "
                "where it stands; you can add information for the clinic below."
                if submitted.exists()
                else "You have no intake in progress. You can start one here.",
            )
            return redirect("intake:portal")

    return wrapped


def _step_or_404(key: str) -> steps.Step:
    step = steps.STEP_BY_KEY.get(key)
    if step is None or step.section is None:
        raise Http404("No such step")
    return step


@require("use_patient_portal")
def portal(request):
    return render(request, "intake/portal.html", _portal_context(request))


def _portal_context(request, **note) -> dict:
    intakes = list(Intake.objects.for_patient(request.user))
    current = intakes[0] if intakes else None
    upcoming = upcoming_for(request.user)
    booked = next((when for a, when in upcoming if a.kind == "initial"), None)
    # An approved intake whose consultation has taken place has nothing left to book: a
    # patient mid-course was told "You can now book it" (one query, only then).
    consulted = (
        current is not None
        and current.status == Intake.Status.APPROVED
        and booked is None
        and patient_history(request.user).completed_consultation
    )
    submitted_on = (
        current and current.submitted_at and human_date(timezone.localtime(current.submitted_at))
    )
    return {
        "intake": current,
        "intakes": intakes,
        "upcoming": upcoming,
        "booked": booked,
        "consulted": consulted,
        "stages": timeline.stages(
            status=current.status,
            submitted_on=submitted_on or "",
            booked_when=booked,
            consulted=consulted,
        )
        if current
        else [],
        "note_max": services.PATIENT_NOTE_MAX,
        "chart": chart_data.patient_chart(
            request.user, audience=chart_data.charts.PATIENT, id_prefix="my-outcomes"
        ),
        **note,
    }


@require("use_patient_portal")
@require_POST
def add_note(request):
    """Information for the clinical team after submitting, without a phone call."""
    intake = Intake.objects.for_patient(request.user).first()
    text = request.POST.get("text", "")
    if intake is None:
        return redirect("intake:portal")
    try:
        services.add_patient_note(intake=intake, text=text)
    except services.NoteRefused as refused:
        context = _portal_context(request, note_error=refused.reason, note_text=text)
        return render(request, "intake/portal.html", context, status=400)
    messages.success(request, "Thank you: the clinical team will see this with your intake.")
    return redirect("intake:portal")


@require("use_patient_portal")
def resume(request):
    """The patient's home: back to the step they were on, else the portal."""
    intake = _open_intake(request)
    if intake is None or not intake.is_editable_by_patient:
        return redirect("intake:portal")
    return (
        redirect("intake:step", intake.current_step)
        if intake.current_step != steps.REVIEW
        else redirect("intake:review")
    )


@require("use_patient_portal")
def start(request):
    if request.method == "POST":
        services.start_intake(patient=request.user)
    return redirect("intake:resume")


def _read(section, post: QueryDict):
    return read_post(section, {k: post.getlist(k) for k in post})


def _with_notes(section, intake, form, shown=None):
    """The form with a note beside each answer two windows changed."""
    conflicts = EditState.from_drafts(intake.drafts).conflicts.get(section.key, {})
    if conflicts:
        stored = stored_values(section, answers=intake.answers, drafts=intake.drafts)
        shown = page_values(form) if shown is None else shown
        form.conflicts = conflict_notes(section, conflicts, shown=shown, stored=stored)
    return form


def _stored(section, intake):
    form = stored_form(section, answers=intake.answers, drafts=intake.drafts)
    return _with_notes(section, intake, form)


def _step_context(intake, step, form):
    answers = intake.answers
    return {
        "intake": intake,
        "step": step,
        "form": form,
        # Each page load is one page for ordering its saves; it carries what it started from.
        "page_id": secrets.token_urlsafe(9),
        "loaded": json.dumps(page_values(form)),
        "steps": steps.applicable_steps(answers),
        "total": steps.TOTAL,
        "minutes_left": length.minutes_left(answers, from_key=step.key),
        "complete": {
            s.key
            for s in steps.ALL_STEPS
            if s.key in intake.visited_steps and steps.shows_done(s, answers)
        },
        "previous": steps.previous_step(step.key, answers),
        "opioid_total": _opioid_total(form) if "opioids" in form.formsets else None,
        "consent": ConsentText.current() if step.key == "consent" else None,
        # Shown beside PHQ-9 item 9 when it is saved above 0 (the page adds it live too).
        "crisis": step.key == "mood" and intake.phq9_item9_positive,
        "medicine_names": medicine_suggestions() if step.key in MEDICINE_FIELDS else (),
    }


def _closed_step(request, intake, key):
    """While the clinic waits for more information, only the reopened sections are open."""
    if intake.patient_may_edit(key):
        return None
    return _to_reopened(request, intake)


def _to_reopened(request, intake):
    messages.info(
        request,
        "That section is closed. The clinic asked you to update: "
        + ", ".join(steps.STEP_BY_KEY[k].title for k in intake.reopened_sections)
        + ".",
    )
    return redirect("intake:review")


@require("use_patient_portal")
@_closed_to_portal
def step(request, key):
    if request.method == "POST":
        return _step_post(request, _step_or_404(key))
    intake, step = _editable_intake(request), _step_or_404(key)
    if closed := _closed_step(request, intake, key):
        return closed
    services.move_to_step(intake=intake, step=key)
    return render(
        request, "intake/step.html", _step_context(intake, step, _stored(step.section, intake))
    )


def _step_post(request, step):
    key, post = step.key, _read(step.section, request.POST)
    try:
        saved = services.save_page(patient=request.user, step=key, post=post)
    except services.IntakeNotEditable:  # a submit in another tab a moment ago
        raise _StepsClosed from None
    except services.SectionClosed as closed:
        return _to_reopened(request, closed.intake)
    if saved.stale:  # this page already saved something newer: show what is stored
        return redirect(request.get_full_path())
    intake, form = saved.intake, _with_notes(step.section, saved.intake, saved.form)
    if key == "mood" and intake.phq9_item9_positive:
        # Safety first: crisis resources are the very next page whenever item 9 is saved
        # above 0, whatever else is still to fix on the step (its draft keeps it).
        return redirect("intake:support")
    action = request.POST.get("action", "next")
    if action == "later":
        return _finish_later(request, intake, step)
    if action == "back":
        return _to_step(steps.previous_step(key, intake.answers).key)
    if action == "goto" and request.POST.get("goto") in steps.STEP_BY_KEY:
        return _to_step(request.POST["goto"])
    if not form.is_valid() or form.conflicts:
        return render(request, "intake/step.html", _step_context(intake, step, form))
    if key == "consent":
        services.sign_consent(
            intake=intake,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    if request.GET.get("return") == "review" or intake.reopened_sections:
        return redirect("intake:review")  # "Edit" from the review page comes back to it
    return _to_step(steps.next_step(key, intake.answers).key)


def _finish_later(request, intake, step):
    """Saved already (valid or not): email a link back to this step and say so kindly."""
    services.email_finish_later_link(intake=intake, step=step.key)
    messages.success(
        request,
        f"Your answers are saved. We have emailed you a link back to “{step.title}”, so you "
        "can carry on whenever you are ready. Take all the time you need.",
    )
    return redirect("intake:portal")


def _step_url(key: str) -> str:
    return _reversed_step_url(key, get_script_prefix())


@functools.lru_cache(maxsize=64)
def _reversed_step_url(key: str, prefix: str) -> str:
    """One reverse() a step a process (and script prefix), not one a save."""
    return reverse("intake:review") if key == steps.REVIEW else reverse("intake:step", args=[key])


def _to_step(key: str) -> HttpResponseRedirect:
    # A URL already: redirect() would first try it as a route name (a failed reverse()).
    return HttpResponseRedirect(_step_url(key))


@require("use_patient_portal")
@require_POST
def autosave(request, key):
    """Saves typing a few seconds after it stops, without a page load."""
    section = _step_or_404(key).section
    post = _read(section, request.POST)
    try:
        saved = services.save_page(patient=request.user, step=key, post=post)
    except (services.IntakeNotEditable, services.SectionClosed):
        return JsonResponse({"saved": False, "reason": "not_editable"}, status=409)
    if saved.stale:  # the page's later save (or "Save and continue") is already stored
        return JsonResponse({"saved": False, "reason": "stale"})
    # The page still shows what it posted, so the notes compare against that.
    form = _with_notes(section, saved.intake, saved.form, shown=post.values)
    # The page shows crisis resources at once if item 9 was just answered above 0.
    crisis = key == "mood" and saved.intake.phq9_item9_positive
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.now().isoformat(),
            "crisis": crisis,
            "conflicts": _notes_html(section, form),
            "readings": medicine_readings(key, post.values),
        }
    )


@dataclasses.dataclass(frozen=True)
class OpioidTotal:
    """What the live box on the opioid step says: the server's MME over the rows as typed."""

    mme: scoring.MMEResult
    counted: int  # rows with a number in the total
    not_counted: tuple[str, ...]  # "Row 2: 325 mg is the acetaminophen in Percocet. ..."


def _opioid_total(form) -> OpioidTotal:
    """The rows a save of this form would store, scored exactly as the review page scores
    them (intake/scoring/mme.py, combination checks included); rows the save would refuse
    are named with the reason instead of being counted."""
    formset = form.formsets["opioids"]
    if not formset.is_bound:
        rows, problems = list(form.answers.get("opioids") or []), []
    else:
        formset.is_valid()
        rows, problems = formset.rows(), []
        for number, row in enumerate(formset.forms, start=1):
            if row.has_changed() and not formset._should_delete_form(row) and row.errors:
                name, errors = next(iter(row.errors.items()))
                labels = {q.key: q.label.lower() for q in row.question.fields}
                where = f" ({labels[name]})" if name in labels else ""
                problems.append(f"Row {number}{where} is not counted yet: {errors[0]}")
    mme = scoring.compute_mme(rows)
    counted = sum(1 for line in mme.lines if line.mme is not None)
    return OpioidTotal(mme, counted, tuple(problems))


@require("use_patient_portal")
@require_POST
def opioid_total(request, key):
    """The live daily-opioid box, worked out on the server from the rows being typed (not
    saved: autosave does that), so the page never shows a figure the review page would not."""
    intake = _open_intake(request)
    section = _step_or_404(key).section
    if intake is None or not intake.is_editable_by_patient:
        return JsonResponse({"reason": "not_editable"}, status=409)
    if not any(q.key == "opioids" for q in section.questions):
        raise Http404("No opioid list on this step")
    form = form_class(section)(form_data(_read(section, request.POST).values), answers={})
    html = render_to_string("intake/_opioid_total.html", {"total": _opioid_total(form)})
    return JsonResponse({"html": html})


def _notes_html(section, form) -> dict[str, str]:
    """Each open conflict's note, for the page to put beside its field without a reload."""
    return {
        q.key: render_to_string("intake/_conflict.html", {"q": q, "note": note})
        for q in section.questions
        if (note := form.conflicts.get(q.key))
    }


@require("use_patient_portal")
@_closed_to_portal
def support(request):
    """Shown straight after a PHQ-9 with item 9 above 0: crisis resources, then carry on."""
    intake = _editable_intake(request)
    # Back to the mood step if something there still needs fixing, else onwards.
    next_key = "mood" if "mood" in intake.drafts else steps.next_step("mood", intake.answers).key
    return render(request, "intake/support.html", {"next_url": _step_url(next_key)})


@require("use_patient_portal")
@_closed_to_portal
def review(request):
    intake = _editable_intake(request)
    if request.method == "POST":
        try:
            services.submit_intake(intake=intake)
        except services.EmailNotVerified:
            messages.error(
                request,
                "Please confirm your email address first: use the link we "
                "emailed you, or ask for a new one below.",
            )
            return redirect("intake:portal")
        except services.IntakeIncomplete:
            messages.error(request, "Some answers are still missing. They are listed below.")
            return redirect("intake:review")
        except services.AnswersInConflict:
            messages.error(
                request,
                "Some answers were changed in two windows. Choose which to keep: they are "
                "listed below.",
            )
            return redirect("intake:review")
        messages.success(
            request,
            "Thank you. Your intake is submitted: the clinical team will "
            "review it and we will let you know.",
        )
        return redirect("intake:portal")
    services.move_to_step(intake=intake, step=steps.REVIEW)
    return render(request, "intake/review.html", _review_context(intake))


def _review_context(intake):
    snapshot, mme = services.score_snapshot(intake.answers)
    return {
        "intake": intake,
        "step": steps.STEP_BY_KEY[steps.REVIEW],
        "steps": steps.applicable_steps(intake.answers),
        "total": steps.TOTAL,
        "minutes_left": 0,
        "complete": {s.key for s in steps.ALL_STEPS if steps.shows_done(s, intake.answers)},
        "sections": answered_sections(intake.answers, derived=False),
        "editable_keys": intake.reopened_sections or list(steps.STEP_BY_KEY),
        "missing": services.missing_for_submit(intake),
        "conflicts": services.open_conflicts(intake),
        "peg": snapshot.get("PEG"),
        "mme": mme,
    }


@require("use_patient_portal")
def detail(request, pk):
    """A patient's own intake, read-only."""
    intake = get_object_or_404(Intake.objects.for_patient(request.user), pk=pk)
    return render(
        request,
        "intake/detail.html",
        {"intake": intake, "sections": answered_sections(intake.answers, derived=False)},
    )
