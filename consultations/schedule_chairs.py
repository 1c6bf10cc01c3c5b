"""Schedule pages for a location's infusion chairs and opening hours.

Taking a chair out of use (deactivating or removing it) is confirmed on its own page
with a reason, refused while infusions are still booked on it (listed, so staff can move
them), recorded in the audit trail, and undone by activating it again (or adding it again
under the same name).
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clinic.accounts.access import require
from clinic.audit import reads

from . import schedule_services, selectors
from .models import Appointment, Chair, Location
from .schedule_forms import ChairChangeForm, ChairForm, OpeningHoursFormSet

CHANGES = {
    # action: (title, button, button style, done)
    "deactivate": ("Deactivate", "Deactivate the chair", "btn-danger", "deactivated"),
    "activate": ("Activate", "Activate the chair", "btn-primary", "activated again"),
    "remove": ("Remove", "Remove the chair", "btn-danger", "removed"),
}


def _clinic(pk) -> Location:
    return get_object_or_404(Location, pk=pk, kind=Location.Kind.CLINIC)


@require("manage_schedules")
def chairs(request, pk):
    location = _clinic(pk)
    now = timezone.now()
    form = ChairForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid():
        chair = schedule_services.add_chair(
            location=location, name=form.cleaned_data["name"], actor=request.user
        )
        messages.success(request, f"{chair.name} added at {location}.")
        return redirect("schedule:chairs", pk=location.pk)
    upcoming = Q(
        appointments__status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
        appointments__chair_end__gt=now,
    )
    rows = location.chair_set.annotate(upcoming=Count("appointments", filter=upcoming))
    context = {"location": location, "chairs": rows, "form": form}
    return render(request, "consultations/staff/chairs.html", context)


@require("manage_schedules")
def chair_rename(request, pk):
    chair = get_object_or_404(Chair.objects.select_related("location"), pk=pk)
    form = ChairForm(request.POST or None, instance=chair, location=chair.location)
    if request.method == "POST" and form.is_valid():
        old = Chair.objects.get(pk=chair.pk).name
        chair = schedule_services.rename_chair(
            chair=chair, name=form.cleaned_data["name"], actor=request.user
        )
        messages.success(request, f"{old} is now called {chair.name}.")
        return redirect("schedule:chairs", pk=chair.location_id)
    return render(request, "consultations/staff/chair_rename.html", {"form": form, "chair": chair})


@require("manage_schedules")
def chair_change(request, pk, action):
    """GET confirms (or lists the bookings that stop it); POST does it."""
    chair = get_object_or_404(Chair.objects.select_related("location"), pk=pk)
    if action not in CHANGES:
        return redirect("schedule:chairs", pk=chair.location_id)
    now = timezone.now()
    form = ChairChangeForm(request.POST or None) if action != "activate" else None
    blocking = [] if action == "activate" else schedule_services.future_infusions(chair, now=now)
    refusal = ""
    if request.method == "POST" and not blocking and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form else ""
        try:
            _apply(action, chair=chair, actor=request.user, reason=reason, now=now)
        except schedule_services.ChairInUse as refused:
            blocking = refused.bookings
        except schedule_services.ChairHasHistory as refused:
            refusal = str(refused)
        else:
            return _done(request, chair, action)
    if blocking:
        refusal = str(schedule_services.ChairInUse(blocking))
        reads.listed(request, blocking)
    title, button, style, _ = CHANGES[action]
    context = {
        "chair": chair,
        "action": action,
        "title": title,
        "button": button,
        "button_style": style,
        "form": form,
        "refusal": refusal,
        "blocking": selectors.entries(blocking),
        "clinic_zone": settings.CLINIC_TIME_ZONE,
    }
    return render(request, "consultations/staff/chair_change.html", context)


def _apply(action, *, chair, actor, reason, now) -> None:
    if action == "remove":
        schedule_services.remove_chair(chair=chair, actor=actor, reason=reason, now=now)
    else:
        schedule_services.set_chair_active(
            chair=chair, active=action == "activate", actor=actor, reason=reason, now=now
        )


def _done(request, chair, action):
    undo = {
        "deactivate": "Activate it again to undo.",
        "activate": "",
        "remove": f"To undo, add a chair called “{chair.name}” again.",
    }[action]
    messages.success(request, f"{chair.name} {CHANGES[action][3]}. {undo}".strip())
    return redirect("schedule:chairs", pk=chair.location_id)


@require("manage_schedules")
def opening_hours(request, pk):
    location = _clinic(pk)
    formset = OpeningHoursFormSet(request.POST or None, instance=location, prefix="open")
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, f"Opening hours for {location} saved.")
        return redirect("schedule:opening_hours", pk=location.pk)
    outside = selectors.infusions_outside_opening(now=timezone.now(), location=location)
    reads.listed(request, (e.appointment for e in outside))
    context = {
        "location": location,
        "formset": formset,
        "outside": outside,
        "clinic_zone": settings.CLINIC_TIME_ZONE,
    }
    return render(request, "consultations/staff/opening_hours.html", context)
