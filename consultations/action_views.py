"""Staff actions on one appointment: check in, completed, no-show, cancel and undo.

GET is the confirmation page: what will happen, to whom, and the reason where one is
needed; POST does it through the services, which ask the transition table (status.py).
Check in and completed need no reason, so the day's one-click buttons post straight here.
Moving is the booking picker (staff_booking_views.move).
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.audit.services import record
from clinic.core.models import ClinicSettings
from clinic.core.redirects import safe_next

from . import selectors, services, status
from .action_forms import ReasonForm, UndoForm
from .models import Appointment
from .status import LABELS, Action

# What each page says: title, the button that does it, its style, the message afterwards.
PAGES = {
    Action.CHECK_IN: ("Check in", "Check in", "btn-primary", "checked in"),
    Action.COMPLETE: ("Mark completed", "Mark completed", "btn-primary", "marked completed"),
    Action.NO_SHOW: ("Mark a no-show", "Mark no-show", "btn-danger", "marked a no-show"),
    Action.CANCEL: ("Cancel the appointment", "Cancel the appointment", "btn-danger", "cancelled"),
    Action.UNDO: ("Undo the last change", "Undo", "btn-primary", "put back"),
}
VISIT_ACTIONS = (Action.CHECK_IN, Action.COMPLETE, Action.NO_SHOW)


def _appointment(pk) -> Appointment:
    related = ("patient", "provider", "appointment_type", "location")
    return get_object_or_404(Appointment.objects.select_related(*related), pk=pk)


def day_url(appointment) -> str:
    """The appointment's day in the calendar, scrolled to (and highlighting) its row."""
    day = timezone.localtime(appointment.start).date().isoformat()
    return reverse("schedule:day") + f"?date={day}#appt-{appointment.pk}"


def _back(request, appointment) -> str:
    return safe_next(request, day_url(appointment))


def _audit(request, appointment, before: str, reason: str) -> None:
    detail = {"from": before, "to": appointment.status, "reason": reason}
    if appointment.late_cancellation:
        detail["late_cancellation"] = True
    record(
        actor=request.user,
        action=f"appointment_{appointment.status}",
        request=request,
        patient=appointment.patient,
        target=appointment,
        detail=detail,
    )


def _do(action, appointment, user, data: dict) -> Appointment:
    kwargs = {"appointment": appointment, "actor": user}
    if action == Action.UNDO:
        return services.undo_status_change(**kwargs, reason=data.get("reason", ""))
    kwargs.update(reason=data.get("reason", ""), note=data.get("note", ""))
    if action == Action.CANCEL:
        return services.cancel_appointment(**kwargs)
    return services.record_visit(**kwargs, action=action)


def _confirm(request, appointment, action):
    """The confirmation page for `action`, and its POST."""
    preview, refusal = _preview(appointment, action, request.user)
    data = request.POST if request.method == "POST" else None  # an empty POST is bound too
    if action == Action.UNDO:
        form = UndoForm(data, needs_reason=bool(preview and preview.needs_reason))
    else:
        form = (
            ReasonForm(data, action=action)
            if action
            in (
                Action.NO_SHOW,
                Action.CANCEL,
            )
            else None
        )
    if request.method == "POST" and refusal is None and (form is None or form.is_valid()):
        before = appointment.status
        try:
            done = _do(action, appointment, request.user, form.cleaned_data if form else {})
        except services.BookingError as problem:
            refusal = str(problem)
        else:
            _audit(request, done, before, form.cleaned_data.get("reason", "") if form else "")
            messages.success(request, _done_message(done, action))
            return redirect(_back(request, done))
    reads.viewed(request, appointment)
    context = _context(request, appointment, action, form, preview, refusal)
    return render(
        request,
        "consultations/staff/appointment_action.html",
        context,
        status=200 if request.method == "GET" or refusal is None else 409,
    )


def _preview(appointment, action, user):
    try:
        return services.preview_change(appointment=appointment, action=action, actor=user), None
    except services.BookingError as problem:
        return None, str(problem)


def _done_message(appointment, action) -> str:
    text = f"{appointment.patient}: {PAGES[action][3]}; now {LABELS[appointment.status]}."
    if action != Action.UNDO:
        text += " Undo is on the appointment's buttons."
    if action == Action.CANCEL:
        text += " The time is free again and the patient was emailed."
    return text


def _context(request, appointment, action, form, preview, refusal) -> dict:
    window = ClinicSettings.load().cancellation_window_hours
    entry = selectors.entries([appointment])[0]
    inside_window = appointment.start - timezone.now() < dt.timedelta(hours=window)
    title, button, style, _ = PAGES[action]
    last = services.last_status_change(appointment) if action == Action.UNDO else None
    reason = last and status.reason_for(last.action, last.reason)
    return {
        "appointment": appointment,
        "entry": entry,
        "action": action,
        "title": title,
        "button": button,
        "button_style": style,
        "form": form,
        "preview": preview,
        "to_label": LABELS.get(preview.to_status, "") if preview else "",
        "refusal": refusal,
        "window": window,
        "inside_window": inside_window,
        "last": last,
        "last_text": last
        and f"{LABELS.get(last.from_status, '')} → {LABELS.get(last.to_status, '')}"
        + (f" ({reason.label.lower()})" if reason else ""),
        "clinic_zone": settings.CLINIC_TIME_ZONE,
        "back": _back(request, appointment),
        "next": safe_next(request, ""),
    }


@require("manage_bookings")
def change_status(request, pk):
    """Check in, completed or no-show (the action is a query or form field)."""
    appointment = _appointment(pk)
    action = (request.POST if request.method == "POST" else request.GET).get("action", "")
    if action not in VISIT_ACTIONS:
        messages.error(request, "That is not something this button can do.")
        return redirect(_back(request, appointment))
    return _confirm(request, appointment, Action(action))


@require("manage_bookings")
def cancel(request, pk):
    return _confirm(request, _appointment(pk), Action.CANCEL)


@require("manage_bookings")
def undo(request, pk):
    return _confirm(request, _appointment(pk), Action.UNDO)
