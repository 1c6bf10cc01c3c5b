"""The booking picker, shared by the patient's and the staff's booking pages.

Type → visit mode → clinician → day → time, read leniently from the query string (a stale
or hand-edited link shows the picker, never an error), and the slot a picker button posts,
read strictly (anything malformed is a 404).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from clinic.core.prepared import Prepared

from . import availability, eligibility, month_grid, selectors, services
from .models import Appointment, AppointmentType, DateOverride, Provider
from .public_holidays import UnknownRegion, holidays_in
from .timefmt import format_time, format_when, zone_or_clinic

SUGGESTIONS = 4  # "Suggested for you": the first suitable time on each of this many days

# Read on every picker page; compiled once a process (clinic.core.prepared).
_ACTIVE_TYPES = Prepared(lambda: AppointmentType.objects.filter(active=True))
_ACTIVE_PROVIDERS = Prepared(lambda: Provider.objects.filter(active=True))


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


def _types(patient, staff: bool, history) -> tuple[dict, list]:
    """The types the picker offers, and (staff only) the ones it does not, with why.

    The same rule the booking service enforces (eligibility.check): patients see only what
    they may book (waiting for approval included: the page says so); staff see the rest
    greyed out with the reason."""
    offered, refused = {}, []
    for appointment_type in _ACTIVE_TYPES.all():
        verdict = services.eligibility_for(
            patient=patient, appointment_type=appointment_type, by_staff=staff, history=history
        )
        if verdict.allowed or (not staff and eligibility.patient_sees(verdict)):
            offered[appointment_type.pk] = appointment_type
        elif staff:
            refused.append((appointment_type, eligibility.STAFF_REASONS[verdict.code]))
    return offered, refused


def picker_context(request, *, patient, moving=None, staff=False) -> dict:
    """Type → visit mode → clinician → day → time, read from the query string.

    Staff see every type the patient may have (the others with the reason they are not
    offered), also times inside the minimum notice, and may go on without an approved
    intake; each of those needs a recorded reason at confirmation. Patients see only the
    types they may book, from the minimum notice on.
    """
    # The patient's history is read once for every type's rule, with their zone and
    # intake's answers (one query).
    facts = selectors.booking_facts(patient)
    history = None if moving else facts.history
    types, refused = ({}, []) if moving else _types(patient, staff, history)
    providers = _ACTIVE_PROVIDERS.all()
    choice = Choice(request, types, providers, moving)
    context = {
        "types": types.values(),
        "refused_types": refused,
        "choice": choice,
        "providers": providers,
        "moving": moving,
        "zone": zone_or_clinic(facts.time_zone),
        "clinic_zone": settings.CLINIC_TIME_ZONE,
        "patient": patient,
        "staff": staff,
    }
    if not (choice.type and choice.mode):
        return context
    if moving is None:
        verdict = services.eligibility_for(
            patient=patient, appointment_type=choice.type, by_staff=staff, history=history
        )
        context["warning"] = verdict.warning
        if verdict.code == "needs_approval" or verdict.needs_override:
            context["needs_approval"] = True
            if not staff:
                return context
    now = timezone.now()
    ids = [p.pk for p in providers] if choice.provider == "any" else [int(choice.provider)]
    first, last = selectors.booking_window(choice.type, now)
    # Staff booking (not moving: a move keeps the patient's rules) may take times inside the
    # minimum notice, from now on, each with a recorded reason.
    inside_notice = staff and moving is None
    if inside_notice:
        first = selectors.local_today(now)
    free = selectors.available_days(
        appointment_type=choice.type,
        provider_ids=ids,
        start_date=first,
        end_date=last,
        now=now,
        exclude_appointment=moving,
        min_notice=dt.timedelta(0) if inside_notice else None,
        time_zone=context["zone"],
        active_providers=providers,
    )
    days = free.days
    context["days"] = list(free.counts().items())
    notice_ends = now + dt.timedelta(hours=choice.type.min_notice_hours)
    context["notice_ends"] = format_when(notice_ends, context["zone"]) if inside_notice else ""
    names = {p.pk: p.display_name for p in providers} if choice.provider == "any" else {}
    # The days and times the patient's latest intake says suit them (none: no intake).
    preferences = month_grid.Preferences.from_answers(facts.answers)

    local = ZoneInfo(context["zone"])

    def button(slot):  # made only for the times the page shows
        return _button(slot, slot.start.astimezone(local), names, notice_ends, preferences)

    loaded = (first - dt.timedelta(days=1), last + dt.timedelta(days=1))  # schedule_inputs'
    first, last = min([first, *days]), max([last, *days])
    # The slots' overrides hold every closure of those dates; a day further off (only a
    # patient many zones from the clinic) is read on its own.
    covered = loaded[0] <= first and last <= loaded[1]
    closed = _closed_days(first, last, free.overrides if covered else None)
    context["months"] = month_grid.month_grid(
        counts=dict(context["days"]),
        first=first,
        last=last,
        closed=closed,
        preferences=preferences,
        selected=choice.date,
    )
    context["weekday_names"] = month_grid.WEEKDAY_NAMES
    context["closures"] = sorted(closed.items())
    context["preferences"] = preferences
    context["suggested"] = _suggested(free, button, preferences, local)
    if choice.date in free:
        context["times"] = [button(slot) for slot in free.first_slots(choice.date)]
        context["suggested_times"] = [b for b in context["times"] if b.suggested]
        context["other_times"] = [b for b in context["times"] if not b.suggested]
    return context


def _closed_days(first: dt.date, last: dt.date, overrides=None) -> dict[dt.date, str]:
    """Whole-day clinic closures in first..last, each named (its note, else the public
    holiday that day, else "Clinic closed"), from `overrides` (OverrideSpec, in date
    order) when they hold those dates, else read here."""
    if overrides is None:
        rows = DateOverride.objects.overlapping(first, last).filter(
            kind=DateOverride.Kind.CLOSURE, start__isnull=True
        )
        overrides = [selectors.override_spec(row) for row in rows]
    try:
        named = {
            h.date: h.name
            for year in range(first.year, last.year + 1)
            for h in holidays_in(
                year, settings.CLINIC_HOLIDAYS_COUNTRY, settings.CLINIC_HOLIDAYS_SUBDIVISION
            )
        }
    except UnknownRegion:
        named = {}
    closed = {}
    for row in overrides:
        if row.kind != DateOverride.Kind.CLOSURE or row.start is not None:
            continue
        day = max(row.start_date, first)
        while day <= min(row.last_date, last):
            closed[day] = row.note or named.get(day) or "Clinic closed"
            day += dt.timedelta(days=1)
    return closed


def _suggested(free, button, preferences, local: ZoneInfo) -> list[tuple[dt.date, "TimeButton"]]:
    """(day, time button) for the first suitable time on each of the first few days.

    Day by day, in order, stopping at SUGGESTIONS, and in a day time by time, stopping at
    the first that suits (month_grid.suggested_starts' choice): one button made a day."""
    if not preferences:
        return []
    out = []
    for day in free.days:
        if len(out) >= SUGGESTIONS:
            break
        if preferences.weekdays and day.weekday() not in preferences.weekdays:
            continue
        for slot in free.first_slots(day):
            if preferences.suits(slot.start.astimezone(local)):
                out.append((day, button(slot)))
                break
    return out


@dataclass(frozen=True)
class TimeButton:
    slot: availability.Slot
    label: str  # "9:00 AM"
    provider_name: str  # with "any clinician": who that time is with
    inside_notice: bool  # staff only: needs a reason
    suggested: bool = False  # a day and time of day the patient said suit them


def _button(slot, local: dt.datetime, names: dict, notice_ends, preferences) -> TimeButton:
    """A time (`local`: its start in the patient's zone); with "any clinician" named (the
    first free clinician takes it: FreeDays.first_slots)."""
    return TimeButton(
        slot,
        format_time(local, local.tzinfo.key),
        names.get(slot.provider_id, ""),
        slot.start < notice_ends,
        bool(preferences) and preferences.suits(local),
    )
