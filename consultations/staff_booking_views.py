"""Coordinators (and clinicians) book and move on a patient's behalf (cancel: action_views)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.accounts.search import person_matches
from clinic.audit import reads

from . import services
from .models import Appointment
from .picker import picker_context, read_booking, read_slot
from .timefmt import format_when, patient_zone


def _patient(pk) -> User:
    return get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)


def _day_url(appointment) -> str:
    day = timezone.localtime(appointment.start).date().isoformat()
    return reverse("schedule:day") + f"?date={day}#appt-{appointment.pk}"


@require("manage_bookings")
def patients(request):
    """Find a patient to book for (name or email)."""
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query:
        patients_ = User.objects.with_role(Role.PATIENT).filter(person_matches(query))
        found = patients_.order_by("last_name")[:50]
        reads.listed(request, found)
    return render(request, "consultations/staff/patients.html", {"query": query, "found": found})


@require("manage_bookings")
def book(request, patient_pk):
    patient = _patient(patient_pk)
    reads.viewed(request, patient)
    context = picker_context(request, patient=patient, staff=True)
    context["confirm_url"] = reverse("schedule:confirm", args=[patient.pk])
    return render(request, "consultations/book.html", context)


@require("manage_bookings")
def confirm(request, patient_pk):
    patient = _patient(patient_pk)
    data = request.POST if request.method == "POST" else request.GET
    appointment_type, provider, start, mode = read_booking(data)
    needs_override = appointment_type.requires_approved_intake and not services.approved_intake(
        patient
    )
    error = None
    reads.viewed(request, patient)
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
            "needs_override": needs_override,
            "error": error,
            "reason": request.POST.get("override_reason", ""),
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
