"""Coordinators (and clinicians) book and move on a patient's behalf (cancel: action_views)."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.accounts.search import person_matches
from clinic.audit import reads

from . import eligibility, selectors, services
from .booking_forms import OwnTimeForm
from .models import Appointment
from .picker import picker_context, read_booking, read_slot
from .timefmt import format_when, patient_zone


def _patient(pk) -> User:
    return get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)


def _day_url(appointment) -> str:
    day = timezone.localtime(appointment.start).date().isoformat()
    return reverse("schedule:day") + f"?date={day}#appt-{appointment.pk}"


def _search(query: str):
    """Patients by name or email words, or by phone digits (as the review queue finds them)."""
    condition = person_matches(query)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4:
        condition |= Q(intakes__phone__contains=digits) | Q(
            contact_preference__phone__contains=digits
        )
    return User.objects.with_role(Role.PATIENT).filter(condition).distinct()


@require("manage_bookings")
def patients(request):
    """Find a patient to book for (name, email or phone), with her intake's standing."""
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query:
        found = list(_search(query).order_by("last_name", "first_name", "pk")[:50])
        reads.listed(request, found)
    standing = selectors.intake_standing(p.pk for p in found)
    rows = [(person, standing.get(person.pk, "none")) for person in found]
    return render(request, "consultations/staff/patients.html", {"query": query, "rows": rows})


@require("manage_bookings")
def book(request, patient_pk):
    patient = _patient(patient_pk)
    reads.viewed(request, patient)
    context = picker_context(request, patient=patient, staff=True)
    context["confirm_url"] = reverse("schedule:confirm", args=[patient.pk])
    choice = context["choice"]
    if choice.type and choice.mode and choice.type in context["types"]:
        entered = "at-date" in request.GET
        form = OwnTimeForm(request.GET if entered else None, now=timezone.now())
        if entered and form.is_valid():
            query = urlencode(
                {
                    "type": choice.type.pk,
                    "mode": choice.mode,
                    "provider": form.cleaned_data["provider"].pk,
                    "start": form.cleaned_data["start"].isoformat(),
                }
            )
            return redirect(context["confirm_url"] + "?" + query)
        context["own_time"] = form
    return render(request, "consultations/book.html", context)


@require("manage_bookings")
def confirm(request, patient_pk):
    patient = _patient(patient_pk)
    data = request.POST if request.method == "POST" else request.GET
    appointment_type, provider, start, mode = read_booking(data)
    reads.viewed(request, patient)
    verdict = services.eligibility_for(
        patient=patient, appointment_type=appointment_type, by_staff=True
    )
    error = None
    try:
        exceptions = services.staff_exceptions(
            appointment_type=appointment_type, provider=provider, start=start, now=timezone.now()
        )
    except services.BookingError as problem:  # taken, or outside the chairs' hours
        exceptions, error = [], str(problem)
    if request.method == "POST":
        try:
            appointment = services.book_appointment(
                patient=patient,
                appointment_type=appointment_type,
                provider=provider,
                start=start,
                mode=mode,
                actor=request.user,
                override_reason=request.POST.get("override_reason", "")[:1000],
                staff_reason=request.POST.get("staff_reason", "")[:1000],
            )
        except services.BookingError as problem:
            error = str(problem)
        else:
            reads.changed(request, appointment, action="appointment_booked", patient=patient)
            messages.success(request, f"Booked for {patient}.")
            return redirect(_day_url(appointment))
    return render(
        request,
        "consultations/staff/confirm.html",
        {
            "patient": patient,
            "type": appointment_type,
            "provider": provider,
            "start": start,
            "mode": mode,
            "verdict": verdict,
            "not_offered": "" if verdict.allowed else eligibility.STAFF_REASONS[verdict.code],
            "needs_override": verdict.needs_override,
            "exceptions": [services.EXCEPTION_LABELS[e] for e in exceptions],
            "notice_hours": appointment_type.min_notice_hours,
            "error": error,
            "reason": request.POST.get("override_reason", ""),
            "staff_reason": request.POST.get("staff_reason", ""),
            "when": format_when(start, patient_zone(patient)),
        },
    )


@require("manage_bookings")
def move(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("patient"), pk=pk)
    if request.method == "POST":
        start, provider = read_slot(request.POST)
        try:
            moved = services.reschedule_appointment(
                appointment=appointment, start=start, provider=provider, actor=request.user
            )
        except services.BookingError as problem:
            messages.error(request, str(problem))
            return redirect("schedule:move", pk=pk)
        reads.changed(request, moved, action="appointment_moved", patient=appointment.patient)
        messages.success(request, f"Moved. {appointment.patient} has been emailed the new time.")
        return redirect(_day_url(moved))
    reads.viewed(request, appointment)
    context = picker_context(request, patient=appointment.patient, moving=appointment, staff=True)
    context["move_url"] = reverse("schedule:move", args=[pk])
    return render(request, "consultations/book.html", context)


@require("manage_bookings")
@require_POST
def video_link(request, pk):
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        services.set_video_link(
            appointment=appointment, link=request.POST.get("video_link", ""), actor=request.user
        )
    except services.BookingError as problem:
        messages.error(request, str(problem))
    else:
        reads.changed(request, appointment, action="appointment_video_link")
        messages.success(request, "Video link saved; the patient sees it on their appointment.")
    return redirect(_day_url(appointment))
