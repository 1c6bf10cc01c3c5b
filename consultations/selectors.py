"""The consultations' queries, each a fixed number however many rows, days or providers.

Load once, compute in Python: the booking pickers' slots come from the pure availability
code fed by schedule_inputs(); the staff calendar and schedule pages read their day and
week lists here too, in clinic time.
"""

import datetime as dt
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast

from clinic.accounts.search import person_matches
from clinic.core.formats import zone_name
from clinic.core.prepared import Prepared
from clinic.notifications.models import ContactPreference
from intake.models import Intake

from . import availability as av
from . import eligibility
from .models import (
    Appointment,
    AppointmentType,
    Chair,
    ConsultationOutcome,
    DateOverride,
    Location,
    OpeningHours,
    Provider,
    WorkingHours,
)


def type_spec(t: AppointmentType) -> av.AppointmentTypeSpec:
    return av.AppointmentTypeSpec(
        id=t.pk,
        duration=dt.timedelta(minutes=t.duration_minutes),
        buffer_before=dt.timedelta(minutes=t.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=t.buffer_after_minutes),
        min_notice=dt.timedelta(hours=t.min_notice_hours),
        horizon=dt.timedelta(days=t.horizon_days),
        uses_chair=t.uses_chair,
        chair_time_after=dt.timedelta(minutes=t.chair_recovery_minutes),
    )


def override_spec(o: DateOverride) -> av.OverrideSpec:
    return av.OverrideSpec(
        o.kind, o.start_date, o.provider_id, o.start, o.end, o.end_date, note=o.note
    )


def schedule_inputs(provider_ids, start_date: dt.date, end_date: dt.date, active=None) -> dict:
    """Providers, their hours and overrides (3 queries) for a date range; 2 when `active`
    holds every active Provider already read (the booking picker lists them anyway)."""
    if active is None:
        active = Provider.objects.filter(pk__in=provider_ids, active=True)
    wanted = set(provider_ids)
    providers = [av.ProviderSpec(p.pk, p.time_zone) for p in active if p.active and p.pk in wanted]
    ids = [p.id for p in providers]
    hours = working_hours(ids)
    # A day either side: a part-day closure in clinic time may fall on a neighbouring
    # provider-local date. A range is one row, so long ranges cost nothing extra.
    first, last = start_date - dt.timedelta(days=1), end_date + dt.timedelta(days=1)
    overrides = [override_spec(o) for o in _OVERRIDES.all(first, last, ids)]
    return {"providers": providers, "working_hours": hours, "overrides": overrides}


# The picker's reads, compiled once a process (clinic.core.prepared): building and
# compiling each statement took the ORM longer than the database took to run it.
# Plain rows, not model instances: a picker reads a hundred of these a request.
_HOURS = Prepared(
    lambda ids: WorkingHours.objects.filter(provider_id__in=ids).values_list(
        "provider_id", "weekday", "start", "end", "valid_from", "valid_to"
    )
)
_OVERRIDES = Prepared(
    lambda first, last, ids: DateOverride.objects.overlapping(first, last).filter(
        Q(provider_id__in=ids) | Q(kind=DateOverride.Kind.CLOSURE)
    )
)


def working_hours(provider_ids) -> list[av.WorkingHoursSpec]:
    """The providers' weekly hours (one query)."""
    return [av.WorkingHoursSpec(*row) for row in _HOURS.all(list(provider_ids))]


def _held(ids, start, end, *exclude_pk):
    """Active bookings holding the providers' time in [start, end), their times as text."""
    rows = Appointment.objects.active().filter(
        block_start__lt=end, block_end__gt=start, provider_id__in=ids, chair__isnull=True
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk[0])
    return rows.values_list(
        "provider_id", Cast("block_start", TextField()), Cast("block_end", TextField())
    )


_HELD = Prepared(_held)


def _busy(provider_ids, start: dt.datetime, end: dt.datetime, exclude_pk=None, chairs=False):
    if not chairs:
        # An infusion on a chair leaves its supervising clinician free (NO_DOUBLE_BOOKING
        # holds only rows without a chair): it never blocks their consultations.
        # Plain tuples, not model instances: the picker reads hundreds of these a request.
        # The times as text, read by datetime.fromisoformat: the driver's own reading of a
        # timestamp (Django's time zone loader, in Python) took 3 µs each, 1.3 ms of the
        # picker's CPU for its 400.
        excluded = (exclude_pk,) if exclude_pk else ()
        return [
            av.BusySpec(provider_id=provider_id, start=_utc(start), end=_utc(end))
            for provider_id, start, end in _HELD.all(list(provider_ids), start, end, *excluded)
        ]
    rows = Appointment.objects.active()
    # Chair windows run from start to chair_end (recovery), not the provider's block.
    rows = rows.filter(
        Q(chair_end__gt=start) | Q(chair_end__isnull=True, block_end__gt=start),
        uses_chair=True,
        start__lt=end,
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    # Provider rows block the provider; chair rows (provider None) only fill chairs, so an
    # infusion on a chair is counted for its chair alone.
    return [
        av.BusySpec(
            provider_id=None,
            start=block_start,
            end=block_end,
            uses_chair=True,
            chair_start=start,
            chair_end=chair_end,
            chair_id=chair_id,
        )
        for block_start, block_end, start, chair_end, chair_id in rows.values_list(
            "block_start", "block_end", "start", "chair_end", "chair_id"
        )
    ]


def _utc(text: str) -> dt.datetime:
    """A timestamp read as text: PostgreSQL's in the session's zone (Django sets UTC, with
    its offset; the ISO DateStyle, PostgreSQL's default: another raises), SQLite's in UTC
    without one."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def chair_inputs() -> dict:
    """Active chairs at clinic locations (in the order they are given out), those locations'
    opening hours and who supervises infusions: three queries."""
    chairs = [
        av.ChairSpec(c.pk, c.location_id)
        for c in Chair.objects.filter(active=True, location__kind=Location.Kind.CLINIC).order_by(
            "location__kind", "location__name", "location_id", "name", "pk"
        )
    ]
    location_ids = sorted({c.location_id for c in chairs})
    opening = [
        av.OpeningHoursSpec(h.location_id, h.weekday, h.start, h.end)
        for h in OpeningHours.objects.filter(location_id__in=location_ids)
    ]
    supervisors = list(
        Provider.objects.filter(active=True, supervises_infusions=True).values_list("pk", flat=True)
    )
    return {"chairs": chairs, "opening_hours": opening, "supervisor_ids": supervisors}


def _infusion_inputs(
    provider_ids, start_date: dt.date, end_date: dt.date, active=None
) -> tuple[dict, dict]:
    """schedule_inputs for the booked providers and the supervisors together, and the chairs:
    six queries. Returns (schedule inputs for the booked providers, chair arguments)."""
    chairs = chair_inputs()
    supervisor_ids = chairs.pop("supervisor_ids")
    inputs = schedule_inputs(
        set(provider_ids) | set(supervisor_ids), start_date, end_date, active=active
    )
    wanted = set(provider_ids)
    by_id = {p.id: p for p in inputs["providers"]}
    chairs["supervisors"] = [by_id[i] for i in supervisor_ids if i in by_id]
    inputs["providers"] = [p for p in inputs["providers"] if p.id in wanted]
    return inputs, chairs


def _slot_arguments(
    *,
    appointment_type: AppointmentType,
    provider_ids,
    start_date: dt.date,
    end_date: dt.date,
    now: dt.datetime,
    exclude_appointment=None,
    min_notice: dt.timedelta | None = None,
    active_providers=None,
) -> dict:
    """What the pure slot code needs for one type, some providers and a date range, in a
    fixed number of queries. `min_notice` replaces the type's notice (staff may book
    inside it, with a reason); `active_providers`: every active Provider, when the caller
    has read them already (one query fewer)."""
    spec = type_spec(appointment_type)
    if min_notice is not None:
        spec = replace(spec, min_notice=min_notice)
    chair_args: dict = {}
    if appointment_type.uses_chair:
        inputs, chair_args = _infusion_inputs(
            provider_ids, start_date, end_date, active=active_providers
        )
    else:
        inputs = schedule_inputs(provider_ids, start_date, end_date, active=active_providers)
    ids = [p.id for p in inputs["providers"]]
    # Busy rows from a day either side: local days in far zones straddle UTC days.
    window_start = dt.datetime.combine(start_date - dt.timedelta(days=1), dt.time(), dt.UTC)
    window_end = dt.datetime.combine(end_date + dt.timedelta(days=2), dt.time(), dt.UTC)
    exclude = exclude_appointment.pk if exclude_appointment else None
    busy = _busy(ids, window_start, window_end, exclude)
    if appointment_type.uses_chair:
        busy += _busy(ids, window_start, window_end, exclude, chairs=True)
    return {
        "appointment_type": spec,
        "busy": busy,
        "start_date": start_date,
        "end_date": end_date,
        "now": now,
        "clinic_time_zone": settings.CLINIC_TIME_ZONE,
        **chair_args,
        **inputs,
    }


def available_slots(**arguments) -> list[av.Slot]:
    """Free slots for one type, some providers and a date range (_slot_arguments' keywords):
    a fixed number of queries."""
    return av.free_slots(**_slot_arguments(**arguments))


def available_days(*, time_zone: str, **arguments) -> av.FreeDays:
    """The same free slots by local day in `time_zone` (the patient's), worked out per day
    only as far as a page asks (the booking picker: a count a day, one day's times)."""
    return av.free_days(time_zone=time_zone, **_slot_arguments(**arguments))


def time_is_taken(
    *, appointment_type: AppointmentType, provider: Provider, start: dt.datetime, exclude=None
) -> bool:
    """Whether the provider is busy at any moment of a booking starting at `start`, working
    hours aside: the check for a time staff enter. An infusion takes a chair, not its
    clinician's time, so it is never taken here (place_infusion checks the chairs)."""
    if appointment_type.uses_chair:
        return False
    spec = type_spec(appointment_type)
    end = start + spec.duration
    block_start, block_end = start - spec.buffer_before, end + spec.buffer_after
    exclude_pk = exclude.pk if exclude else None
    busy = _busy([provider.pk], block_start, block_end, exclude_pk)
    return av.conflicts(block_start, block_end, busy, provider.pk)


def place_infusion(
    *, appointment_type: AppointmentType, start: dt.datetime, exclude=None
) -> av.Placement:
    """The chair an infusion starting at `start` would get (recovery included), or why none:
    the clinic closed, no supervisor on duty, every open chair taken. Seven queries."""
    spec = type_spec(appointment_type)
    chair_end = start + spec.duration + spec.chair_time_after
    day = start.astimezone(clinic_zone()).date()
    last = chair_end.astimezone(clinic_zone()).date()
    inputs, chair_args = _infusion_inputs([], day - dt.timedelta(days=1), last + dt.timedelta(1))
    exclude_pk = exclude.pk if exclude else None
    return av.place_infusion(
        start,
        chair_end,
        busy=_busy([], start, chair_end, exclude_pk, chairs=True),
        working_hours=inputs["working_hours"],
        overrides=inputs["overrides"],
        clinic_time_zone=settings.CLINIC_TIME_ZONE,
        **chair_args,
    )


def within_hours(*, provider: Provider, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) lies inside the provider's hours, time off and closures counted."""
    day = start.astimezone(clinic_zone()).date()
    inputs = schedule_inputs([provider.pk], day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    outside = av.appointments_outside_hours(
        [(0, provider.pk, start, end)],
        inputs["providers"],
        inputs["working_hours"],
        inputs["overrides"],
        settings.CLINIC_TIME_ZONE,
    )
    return not outside


def _history_columns() -> dict:
    """What the booking rules need to know about a patient, as columns of the patient's row."""
    from .outcome_services import outcomes_latest_first  # the outcome part's one definition

    patient = OuterRef("pk")
    intakes = Intake.objects.filter(patient=patient)
    completed = Appointment.objects.filter(
        patient=patient,
        status=Appointment.Status.COMPLETED,
        kind__in=[AppointmentType.Kind.INITIAL, AppointmentType.Kind.FOLLOW_UP],
    )
    return {
        "completed": Exists(completed),
        "approved": Exists(intakes.filter(status=Intake.Status.APPROVED)),
        # Referred elsewhere counts as declined here: not a patient of this clinic's.
        "declined": Exists(
            intakes.filter(status__in=[Intake.Status.DECLINED, Intake.Status.REFERRED])
        ),
        "decision": Subquery(outcomes_latest_first(patient).values("decision")[:1]),
    }


def _history(row: dict | None) -> eligibility.PatientHistory:
    if row is None:  # no such patient: nothing on record
        return eligibility.PatientHistory()
    return eligibility.PatientHistory(
        completed_consultation=bool(row["completed"]),  # 0 or 1 on SQLite
        approved_intake=bool(row["approved"]),
        declined_intake=bool(row["declined"]),
        # The current outcome's decision (None: none yet), read as the model reads it.
        proceed_outcome=ConsultationOutcome(decision=row["decision"]).lets_staff_plan,
    )


def _patient_row(patient_pk, **columns):
    return get_user_model().objects.filter(pk=patient_pk).order_by().values(**columns)[:1]


# Both compiled once a process (clinic.core.prepared): the ORM took longer to write these
# subqueries out than the database took to answer them.
_HISTORY = Prepared(lambda pk: _patient_row(pk, **_history_columns()))
_FACTS = Prepared(
    lambda pk: _patient_row(
        pk,
        **_history_columns(),
        zone=Subquery(
            ContactPreference.objects.filter(user=OuterRef("pk")).values("time_zone")[:1]
        ),
        # Newest first, as the intakes are ordered (Intake.objects.for_patient(...).first()).
        answers=Subquery(
            Intake.objects.filter(patient=OuterRef("pk"))
            .order_by("-created_at")
            .values("answers")[:1]
        ),
    )
)


def patient_history(patient) -> eligibility.PatientHistory:
    """What the booking rules need to know about a patient (one query)."""
    return _history(next(iter(_HISTORY.rows(patient.pk)), None))


@dataclass(frozen=True)
class BookingFacts:
    """What the booking picker reads about the patient."""

    history: eligibility.PatientHistory
    time_zone: str  # contact preferences' zone ("" or not valid: timefmt decides)
    answers: dict  # the latest intake's answers ({} without an intake)


def booking_facts(patient) -> BookingFacts:
    """patient_history, the zone and the latest intake's answers: one query."""
    row = next(iter(_FACTS.rows(patient.pk)), None) or {}
    answers = row.get("answers")
    if isinstance(answers, str | bytes):  # JSON as text (not read through the field)
        answers = json.loads(answers)
    return BookingFacts(
        history=_history(row or None),
        time_zone=row.get("zone") or "",
        answers=answers if isinstance(answers, dict) else {},
    )


def intake_standing(patient_ids) -> dict[int, str]:
    """Each patient's intake standing for a list of search results (one query):
    "approved", "declined", "referred", "awaiting" (submitted, not decided), "started"
    or absent (no intake)."""
    rank = {"approved": 5, "declined": 4, "referred": 3, "awaiting": 2, "started": 1}
    standing: dict[int, str] = {}
    rows = Intake.objects.filter(patient_id__in=list(patient_ids)).values_list(
        "patient_id", "status"
    )
    for patient_id, status in rows:
        if status == Intake.Status.APPROVED:
            word = "approved"
        elif status in (Intake.Status.DECLINED, Intake.Status.REFERRED):
            word = status
        elif status == Intake.Status.IN_PROGRESS:
            word = "started"
        else:
            word = "awaiting"
        if rank[word] > rank.get(standing.get(patient_id, ""), 0):
            standing[patient_id] = word
    return standing


SELF_SERVICE = (
    AppointmentType.BookableBy.PATIENT,
    AppointmentType.BookableBy.NEW_PATIENT,
    AppointmentType.BookableBy.RETURNING,
)


def notice_warnings(window_hours: int) -> list[str]:
    """Self-bookable types whose minimum notice leaves too little time to change online
    before `window_hours` (eligibility.notice_conflicts): one query."""
    rows = AppointmentType.objects.filter(active=True, bookable_by__in=SELF_SERVICE)
    return eligibility.notice_conflicts(
        window_hours=window_hours,
        types=[(t.name, t.min_notice_hours) for t in rows.order_by("name")],
    )


def booking_window(appointment_type: AppointmentType, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The dates a patient may pick from: minimum notice to the booking horizon."""
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    first = (now + dt.timedelta(hours=appointment_type.min_notice_hours)).astimezone(zone).date()
    last = (now + dt.timedelta(days=appointment_type.horizon_days)).astimezone(zone).date()
    return first, last


def upcoming_for(patient) -> list[tuple[Appointment, str]]:
    """A patient's booked appointments to come, with the time as they read it."""
    from django.utils import timezone

    from .timefmt import format_when, patient_zone

    zone = patient_zone(patient)
    rows = (
        Appointment.objects.upcoming(timezone.now())
        .filter(patient=patient)
        .select_related("appointment_type")
    )
    return [(a, format_when(a.start, zone)) for a in rows]


# ------------------------------------------------------- staff calendar and schedules

CANCELLED = (Appointment.Status.CANCELLED_PATIENT, Appointment.Status.CANCELLED_CLINIC)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # a bad name typed in the Django admin: show clinic time
        return clinic_zone()


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(clinic_zone()).date()


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight in the clinic's zone (23 or 25 hours long on DST days)."""
    zone = clinic_zone()
    end_day = (last or first) + dt.timedelta(days=1)
    return dt.datetime.combine(first, dt.time(), zone), dt.datetime.combine(
        end_day, dt.time(), zone
    )


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def appointments(
    *,
    start: dt.datetime,
    end: dt.datetime,
    provider: Provider | None = None,
    include_cancelled: bool = False,
):
    """Appointments starting in [start, end) with everything a calendar row shows: one query."""
    rows = Appointment.objects.filter(start__gte=start, start__lt=end).select_related(
        "patient", "provider", "appointment_type", "location", "chair"
    )
    if provider is not None:
        rows = rows.filter(provider=provider)
    if not include_cancelled:
        rows = rows.exclude(status__in=CANCELLED)
    return rows.order_by("start", "provider__display_name")


def search_appointments(*, query: str = "", patient_id: int | None = None, limit: int = 200):
    """A patient's appointments, newest first, by patient id or by name or email words.

    None when there is nothing to search for.
    """
    rows = Appointment.objects.select_related(
        "patient", "provider", "appointment_type", "location", "chair"
    ).order_by("-start")
    if patient_id is not None:
        return rows.filter(patient_id=patient_id)[:limit]
    if not query.split():
        return None
    return rows.filter(person_matches(query, prefix="patient__"))[:limit]


@dataclass(frozen=True, slots=True)  # slots: a week makes a few hundred (no dict each)
class Entry:
    """One appointment as the calendar shows it: clinic time, and the provider's if different."""

    appointment: Appointment
    start: dt.datetime
    end: dt.datetime
    provider_start: dt.datetime | None
    provider_end: dt.datetime | None

    @property
    def day(self) -> dt.date:
        return self.start.date()

    @property
    def when(self) -> str:
        """“9:00 AM–9:45 AM” in clinic time (strings, so templates cannot re-zone them)."""
        return f"{self.start:%-I:%M %p}–{self.end:%-I:%M %p}"

    @property
    def start_label(self) -> str:
        """“9:00 AM” in clinic time (the week grid's short form)."""
        return f"{self.start:%-I:%M %p}"

    @property
    def provider_when(self) -> str:
        """The same times in the provider's own zone, or "" when it is the clinic's."""
        if self.provider_start is None or self.provider_end is None:
            return ""
        return (
            f"{self.provider_start:%-I:%M %p}–{self.provider_end:%-I:%M %p} "
            f"{self.provider_start:%Z} ({zone_name(self.appointment.provider.time_zone)})"
        )


def entries(rows) -> list[Entry]:
    zone = clinic_zone()
    clinic = settings.CLINIC_TIME_ZONE
    result = []
    for a in rows:
        own = None
        if a.provider.time_zone != clinic:
            own = _zone(a.provider.time_zone)
        result.append(
            Entry(
                appointment=a,
                start=a.start.astimezone(zone),
                end=a.end.astimezone(zone),
                provider_start=a.start.astimezone(own) if own else None,
                provider_end=a.end.astimezone(own) if own else None,
            )
        )
    return result


def bookings_outside_hours(*, now: dt.datetime, provider_ids=None) -> list[Entry]:
    """Upcoming booked appointments that the providers' current hours no longer cover.

    Four queries whatever the number of bookings: appointments, then providers, hours and
    overrides for the dates those appointments span.
    """
    rows = Appointment.objects.upcoming(now).select_related(
        "patient", "provider", "appointment_type", "location", "chair"
    )
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    rows = list(rows.order_by("start"))
    if not rows:
        return []
    ids = sorted({a.provider_id for a in rows})
    first = local_today(now) - dt.timedelta(days=1)
    last = max(a.end for a in rows).astimezone(clinic_zone()).date() + dt.timedelta(days=1)
    inputs = schedule_inputs(ids, first, last)
    outside = set(
        av.appointments_outside_hours(
            [(a.pk, a.provider_id, a.start, a.end) for a in rows],
            inputs["providers"],
            inputs["working_hours"],
            inputs["overrides"],
            settings.CLINIC_TIME_ZONE,
        )
    )
    return entries(a for a in rows if a.pk in outside)


def list_order(appointments, now) -> list[Appointment]:
    """A patient's list as they look for things: what is coming (soonest first), then what
    is past (latest first), then what was cancelled (latest first) at the bottom."""
    cancelled_statuses = {
        Appointment.Status.CANCELLED_PATIENT,
        Appointment.Status.CANCELLED_CLINIC,
    }
    rows = list(appointments)
    cancelled = [a for a in rows if a.status in cancelled_statuses]
    upcoming = [a for a in rows if a.status not in cancelled_statuses and a.start >= now]
    past = [a for a in rows if a.status not in cancelled_statuses and a.start < now]
    return (
        sorted(upcoming, key=lambda a: (a.start, a.pk))
        + sorted(past, key=lambda a: (a.start, a.pk), reverse=True)
        + sorted(cancelled, key=lambda a: (a.start, a.pk), reverse=True)
    )


def appointments_covered_by(override: DateOverride, *, now: dt.datetime) -> list[Entry]:
    """Appointments still to come (booked or checked in) that a time off or closure falls on.

    One query: the appointments with their providers; the overlap is worked out by the pure
    availability code, in each provider's zone, exactly as the slots will be.
    """
    if override.kind == DateOverride.Kind.EXTRA_HOURS:
        return []
    start, end = day_bounds(
        override.start_date - dt.timedelta(days=1), override.end_date + dt.timedelta(days=1)
    )
    rows = Appointment.objects.filter(
        status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
        start__lt=end,
        end__gt=max(start, now),
    ).select_related("patient", "provider", "appointment_type", "location", "chair")
    if override.kind == DateOverride.Kind.TIME_OFF:
        rows = rows.filter(provider_id=override.provider_id)
    rows = list(rows.order_by("start", "pk"))
    providers = {a.provider_id: av.ProviderSpec(a.provider_id, a.provider.time_zone) for a in rows}
    covered = set(
        av.appointments_in_override(
            override_spec(override),
            [(a.pk, a.provider_id, a.start, a.end) for a in rows],
            providers.values(),
            settings.CLINIC_TIME_ZONE,
        )
    )
    return entries(a for a in rows if a.pk in covered)


def booked_per_day(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """How many booked or checked-in appointments start on each clinic date: one query."""
    start, end = day_bounds(first, last)
    zone = clinic_zone()
    counts: dict[dt.date, int] = {}
    rows = Appointment.objects.filter(
        status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
        start__gte=start,
        start__lt=end,
    ).values_list("start", flat=True)
    for when in rows:
        day = when.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def chair_windows(rows) -> list[tuple[dt.datetime, dt.datetime]]:
    """When each active infusion holds its chair: start to the end of its recovery."""
    return [
        (a.start, a.chair_end or a.end) for a in rows if a.uses_chair and a.status not in CANCELLED
    ]


def infusions_outside_opening(*, now: dt.datetime, location: Location) -> list[Entry]:
    """Booked infusions still to come at this location whose time, recovery included, its
    opening hours (or a closure) no longer cover: three queries."""
    rows = list(
        Appointment.objects.upcoming(now)
        .filter(location=location, uses_chair=True, chair_end__isnull=False)
        .select_related("patient", "provider", "appointment_type", "location", "chair")
        .order_by("start", "pk")
    )
    if not rows:
        return []
    opening = [
        av.OpeningHoursSpec(h.location_id, h.weekday, h.start, h.end)
        for h in OpeningHours.objects.filter(location=location)
    ]
    first = local_today(now) - dt.timedelta(days=1)
    last = max(a.chair_end for a in rows).astimezone(clinic_zone()).date() + dt.timedelta(days=1)
    closures = DateOverride.objects.overlapping(first, last).filter(kind=DateOverride.Kind.CLOSURE)
    outside = set(
        av.infusions_outside_opening(
            [(a.pk, a.location_id, a.start, a.chair_end) for a in rows],
            opening,
            [override_spec(o) for o in closures],
            settings.CLINIC_TIME_ZONE,
        )
    )
    return entries(a for a in rows if a.pk in outside)
