"""Patients book, see, move and cancel their own appointments."""

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.access import require
from clinic.core.models import ClinicSettings
from intake.services import needs_consent_resign

from . import services
from .ics import appointment_ics
from .models import Appointment, ConsultationOutcome
from .picker import picker_context, read_booking, read_slot
from .selectors import list_order
from .timefmt import format_when, patient_zone


def _own_appointment(request, pk) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("provider", "appointment_type", "location"),
        pk=pk,
        patient=request.user,
    )


@require("use_patient_portal")
def my_appointments(request):
    appointments = Appointment.objects.filter(patient=request.user).select_related(
        "provider", "appointment_type", "location"
    )
    zone = patient_zone(request.user)
    rows = [(a, format_when(a.start, zone)) for a in list_order(appointments, timezone.now())]
    # A course's infusions are shown together, in date order, as "Your infusion series".
    series: dict[int, list] = {}
    for a, when in sorted((r for r in rows if r[0].course_id), key=lambda r: r[0].start):
        series.setdefault(a.course_id, []).append((a, when))
    rows = [r for r in rows if not r[0].course_id]
    return render(
        request,
        "consultations/list.html",
        {
            "rows": rows,
            "series": list(series.values()),
            "approved": services.approved_intake(request.user),
        },
    )


def _resign_first(back: str) -> str:
    return reverse("intake:consent_resign") + "?" + urlencode({"next": back})


@require("use_patient_portal")
def book(request):
    if needs_consent_resign(request.user):  # a newer consent version first, then back here
        return redirect(_resign_first(request.get_full_path()))
    return render(request, "consultations/book.html", picker_context(request, patient=request.user))


@require("use_patient_portal")
def confirm(request):
    """Check and confirm one slot; POST books it."""
    if needs_consent_resign(request.user):
        return redirect(_resign_first(reverse("consultations:book")))
    data = request.POST if request.method == "POST" else request.GET
    appointment_type, provider, start, mode = read_booking(data)
    back = reverse("consultations:book") + f"?type={appointment_type.pk}&mode={mode}"
    if request.method == "POST":
        try:
            appointment = services.book_appointment(
                patient=request.user,
                appointment_type=appointment_type,
                provider=provider,
                start=start,
                mode=mode,
                actor=request.user,
            )
        except services.BookingError as error:
            messages.error(request, str(error))
            return redirect(back + f"&provider={provider.pk}&date={_local_date(start, request)}")
        return redirect("consultations:detail", pk=appointment.pk)
    when = format_when(start, patient_zone(request.user))
    return render(
        request,
        "consultations/confirm.html",
        {
            "type": appointment_type,
            "provider": provider,
            "start": start,
            "mode": mode,
            "when": when,
            "back": back,
        },
    )


def _local_date(start, request) -> str:
    return start.astimezone(ZoneInfo(patient_zone(request.user))).date().isoformat()


@require("use_patient_portal")
def detail(request, pk):
    appointment = _own_appointment(request, pk)
    window = ClinicSettings.load().cancellation_window_hours
    return render(
        request,
        "consultations/detail.html",
        {
            "appointment": appointment,
            "when": format_when(appointment.start, patient_zone(request.user)),
            "can_change": appointment.is_cancellable_by_patient(timezone.now(), window),
            "window": window,
            # The clinic's kind words only: never the decision's clinical detail.
            "outcome_message": ConsultationOutcome.objects.filter(appointment=appointment)
            .values_list("patient_message", flat=True)
            .first(),
        },
    )


@require("use_patient_portal")
def reschedule(request, pk):
    appointment = _own_appointment(request, pk)
    if request.method == "POST":
        start, provider = read_slot(request.POST)
        try:
            services.reschedule_appointment(
                appointment=appointment, start=start, provider=provider, actor=request.user
            )
        except services.BookingError as error:
            messages.error(request, str(error))
            return redirect(
                reverse("consultations:reschedule", args=[pk])
                + f"?date={_local_date(start, request)}"
            )
        messages.success(request, "Your appointment has moved. We emailed you the new time.")
        return redirect("consultations:detail", pk=pk)
    return render(
        request,
        "consultations/book.html",
        picker_context(request, patient=request.user, moving=appointment),
    )


@require("use_patient_portal")
def cancel(request, pk):
    """The patient's own cancellation: a page saying what it means, then POST."""
    appointment = _own_appointment(request, pk)
    window = ClinicSettings.load().cancellation_window_hours
    if request.method == "POST":
        try:
            services.cancel_appointment(appointment=appointment, actor=request.user)
        except services.BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your appointment is cancelled. We emailed you to confirm.")
        return redirect("consultations:detail", pk=pk)
    context = {
        "appointment": appointment,
        "when": format_when(appointment.start, patient_zone(request.user)),
        "can_change": appointment.is_cancellable_by_patient(timezone.now(), window),
        "window": window,
        "deadline": format_when(
            appointment.start - dt.timedelta(hours=window), patient_zone(request.user)
        ),
    }
    return render(request, "consultations/cancel.html", context)


@require("use_patient_portal")
def ics(request, pk):
    appointment = _own_appointment(request, pk)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="appointment-{pk}.ics"'
    return response
