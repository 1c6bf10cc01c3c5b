"""Patients book, see, move and cancel their own appointments."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.core.models import ClinicSettings

from . import availability, selectors, services
from .ics import appointment_ics
from .models import Appointment, AppointmentType, Provider
from .timefmt import format_time, format_when, patient_zone


def _own_appointment(request, pk) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("provider", "appointment_type", "location"),
        pk=pk,
        patient=request.user,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_slot(data) -> tuple[dt.datetime, Provider]:
    """The time and clinician a picker button posted; 404 for anything malformed."""
    try:
        start = parse_datetime(data.get("start", "") or "")
    except ValueError:  # well-formed but impossible, e.g. month 13
        start = None
    provider = Provider.objects.filter(pk=_int(data.get("provider")), active=True).first()
    if start is None or timezone.is_naive(start) or provider is None:
        raise Http404("Not a bookable time")
    return start, provider


def read_booking(data) -> tuple[AppointmentType, Provider, dt.datetime, str]:
    """Type, clinician, time and visit mode of a booking to confirm; 404 when malformed."""
    appointment_type = get_object_or_404(AppointmentType, pk=_int(data.get("type")), active=True)
    start, provider = read_slot(data)
    mode = data.get("mode", "")
    if mode not in ("in_person", "telehealth"):
        raise Http404("Not a bookable time")
    return appointment_type, provider, start, mode


class Choice:
    """What the patient has picked so far, read leniently from the query string."""

    def __init__(self, request, types, providers, moving: Appointment | None):
        get = request.GET
        self.type = moving.appointment_type if moving else types.get(_int(get.get("type")))
        self.mode = moving.mode if moving else get.get("mode", "")
        if self.type and self.type.mode != AppointmentType.Mode.EITHER:
            self.mode = self.type.mode
        if self.mode not in ("in_person", "telehealth"):
            self.mode = ""
        # Only an active clinician's id counts; anything else (a stale link, junk) is "any".
        self.provider = get.get("provider", "any")
        if self.provider not in {str(p.pk) for p in providers}:
            self.provider = "any"
        self.date = parse_date(get.get("date", "") or "") if _is_date(get.get("date")) else None


def _is_date(value) -> bool:
    try:
        return bool(value) and parse_date(value) is not None
    except ValueError:
        return False


def picker_context(request, *, patient, moving=None, staff=False) -> dict:
    """Type → visit mode → clinician → day → time, read from the query string.

    Staff see every active type and may go on without an approved intake (the booking then
    needs a recorded reason); patients see self-service types only.
    """
    types = AppointmentType.objects.filter(active=True)
    types = {t.pk: t for t in (types if staff else types.filter(bookable_by="patient"))}
    providers = list(Provider.objects.filter(active=True))
    choice = Choice(request, types, providers, moving)
    context = {
        "types": types.values(),
        "choice": choice,
        "providers": providers,
        "moving": moving,
        "zone": patient_zone(patient),
        "clinic_zone": settings.CLINIC_TIME_ZONE,
        "patient": patient,
        "staff": staff,
    }
    if not (choice.type and choice.mode):
        return context
    if choice.type.requires_approved_intake and not services.approved_intake(patient):
        context["needs_approval"] = True
        if not staff:
            return context
    now = timezone.now()
    ids = [p.pk for p in providers] if choice.provider == "any" else [int(choice.provider)]
    first, last = selectors.booking_window(choice.type, now)
    slots = selectors.available_slots(
        appointment_type=choice.type,
        provider_ids=ids,
        start_date=first,
        end_date=last,
        now=now,
        exclude_appointment=moving,
    )
    days = availability.group_by_local_day(slots, context["zone"])
    context["days"] = [(day, len({s.start for s in day_slots})) for day, day_slots in days.items()]
    if choice.date in days:
        context["times"] = _unique_times(days[choice.date], context["zone"])
    return context


def _unique_times(slots, zone):
    """One button per time; with "any provider" the first free provider takes it."""
    seen, out = set(), []
    for slot in slots:
        if slot.start not in seen:
            seen.add(slot.start)
            out.append((slot, format_time(slot.start, zone)))
    return out


@require("use_patient_portal")
def my_appointments(request):
    appointments = (
        Appointment.objects.filter(patient=request.user)
        .select_related("provider", "appointment_type", "location")
        .order_by("-start")
    )
    zone = patient_zone(request.user)
    rows = [(a, format_when(a.start, zone)) for a in appointments]
    return render(
        request,
        "consultations/list.html",
        {"rows": rows, "approved": services.approved_intake(request.user)},
    )


@require("use_patient_portal")
def book(request):
    return render(request, "consultations/book.html", picker_context(request, patient=request.user))


@require("use_patient_portal")
def confirm(request):
    """Check and confirm one slot; POST books it."""
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
@require_POST
def cancel(request, pk):
    appointment = _own_appointment(request, pk)
    try:
        services.cancel_appointment(appointment=appointment, actor=request.user)
    except services.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your appointment is cancelled.")
    return redirect("consultations:detail", pk=pk)


@require("use_patient_portal")
def ics(request, pk):
    appointment = _own_appointment(request, pk)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="appointment-{pk}.ics"'
    return response
