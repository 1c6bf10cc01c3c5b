"""The booking picker, shared by the patient's and the staff's booking pages.

Type → visit mode → clinician → day → time, read leniently from the query string (a stale
or hand-edited link shows the picker, never an error), and the slot a picker button posts,
read strictly (anything malformed is a 404).
"""

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from . import availability, selectors, services
from .models import Appointment, AppointmentType, Provider
from .timefmt import format_time, patient_zone


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
