"""What the series planner needs, loaded in a fixed number of queries (2, however many days,
chairs, supervisors or existing infusions), and the facts a course page shows.

Opening hours are read as a pseudo-provider's working hours in the clinic's zone, so a
closure (whole day or part day) is cut out exactly as the booking pickers cut it; the
supervisors' on-duty time is their working hours with time off and closures applied. Their
bookings are not loaded: supervising infusions takes none of a clinician's time.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, DateField, F, IntegerField, Q, TimeField

from clinic.core import tagged_union
from clinic.core.prepared import Prepared

from . import availability as av
from . import course
from .models import (
    Appointment,
    AppointmentType,
    Chair,
    ConsultationOutcome,
    Course,
    DateOverride,
    Location,
    OpeningHours,
    Provider,
    WorkingHours,
)

LOCATION_HOURS = -1  # the pseudo-provider id the location's opening hours are read under


def clinic_zone_name() -> str:
    return settings.CLINIC_TIME_ZONE


def infusion_type() -> AppointmentType | None:
    return AppointmentType.objects.filter(kind=AppointmentType.Kind.INFUSION, active=True).first()


def infusion_location() -> Location | None:
    """The clinic location with active chairs (the first, when there are several)."""
    return (
        Location.objects.filter(kind=Location.Kind.CLINIC, chair_set__active=True)
        .order_by("pk")
        .first()
    )


def latest_outcome(patient) -> ConsultationOutcome | None:
    from .outcome_services import current_outcome  # the outcome part's one definition

    return current_outcome(patient)


def infusion_spec(t: AppointmentType) -> course.InfusionSpec:
    return course.InfusionSpec(
        duration=dt.timedelta(minutes=t.duration_minutes),
        recovery=dt.timedelta(minutes=t.chair_recovery_minutes),
        buffer_before=dt.timedelta(minutes=t.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=t.buffer_after_minutes),
    )


def _by_start_date(intervals, zone) -> dict[dt.date, tuple]:
    days: dict[dt.date, list] = {}
    for start, end in intervals:
        days.setdefault(start.astimezone(zone).date(), []).append((start, end))
    return {date: tuple(ivs) for date, ivs in days.items()}


# The columns of _parts()'s rows, after the tag (clinic.core.tagged_union).
_LAYOUT = {
    "n1": IntegerField(),
    "n2": IntegerField(),
    "t1": TimeField(),
    "t2": TimeField(),
    "d1": DateField(),
    "d2": DateField(),
    "s1": CharField(),
    "s2": CharField(),
    "s3": CharField(),
}


def _part(rows, tag: str, **columns):
    """One part of _parts(): its columns by _LAYOUT's names, those it lacks NULL."""
    return tagged_union.part(rows, tag, _LAYOUT, **columns)


def _parts(location_id: int, first: dt.date, last: dt.date):
    """The location's active chairs ("c": id, name), the time off and closures over
    first..last ("d": id, provider, start, end, first and last date, kind, note), the
    supervisors' working hours ("h": provider, weekday, start, end, valid from, valid to),
    the location's opening hours ("o": weekday, start, end) and the active supervisors
    ("s": id, display name, time zone), in one query: the chairs in their order (name, id),
    the overrides in their model's (start date, start, id), the supervisors in theirs
    (display name)."""
    supervising = Provider.objects.filter(active=True, supervises_infusions=True)
    chairs = _part(
        Chair.objects.filter(location_id=location_id, active=True), "c", n1=F("pk"), s1=F("name")
    )
    overrides = _part(
        DateOverride.objects.overlapping(first, last),
        "d",
        n1=F("pk"),
        n2=F("provider_id"),
        t1=F("start"),
        t2=F("end"),
        d1=F("start_date"),
        d2=F("end_date"),
        s2=F("kind"),
        s3=F("note"),
    )
    hours = _part(
        WorkingHours.objects.filter(provider_id__in=supervising.values("pk")),
        "h",
        n1=F("provider_id"),
        n2=F("weekday"),
        t1=F("start"),
        t2=F("end"),
        d1=F("valid_from"),
        d2=F("valid_to"),
    )
    opening = _part(
        OpeningHours.objects.filter(location_id=location_id),
        "o",
        n2=F("weekday"),
        t1=F("start"),
        t2=F("end"),
    )
    supervisors = _part(supervising, "s", n1=F("pk"), s1=F("display_name"), s2=F("time_zone"))
    return chairs.union(overrides, hours, opening, supervisors, all=True).order_by(
        "tag", "s1", "d1", "t1", "n1"
    )


# Compiled once a process (building and compiling five parts cost more than running them).
_PARTS = Prepared(_parts)


def plan_inputs(
    *,
    patient,
    appointment_type: AppointmentType,
    location: Location,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    exclude_ids=(),
) -> course.PlanInputs:
    """The planner's inputs for first..last (local dates): 2 queries.

    `exclude_ids`: appointments to leave out (the infusion being moved).
    """
    zone_name = settings.CLINIC_TIME_ZONE
    chair_list, supervisors, hours, opening, overrides = [], [], [], [], []
    parts = _PARTS.all(location.pk, first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    for tag, number, weekday, t1, t2, d1, d2, _name, word, note in parts:
        if tag == "c":
            chair_list.append(number)
        elif tag == "d":
            overrides.append(av.OverrideSpec(word, d1, weekday, t1, t2, d2, note=note))
        elif tag == "h":
            hours.append(av.WorkingHoursSpec(number, weekday, t1, t2, d1, d2))
        elif tag == "o":
            opening.append(av.WorkingHoursSpec(LOCATION_HOURS, weekday, t1, t2))
        else:
            supervisors.append(av.ProviderSpec(number, word))
    chairs = tuple(chair_list)
    closures = [o for o in overrides if o.kind == av.CLOSURE]
    days = _by_start_date(
        av.working_intervals(
            [av.ProviderSpec(LOCATION_HOURS, zone_name)], first, last, opening, closures, zone_name
        )[LOCATION_HOURS],
        ZoneInfo(zone_name),
    )
    on_duty = av.working_intervals(supervisors, first, last, hours, overrides, zone_name)
    # Busy rows from a day either side: local days straddle UTC days.
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), dt.UTC)
    busy = (
        Appointment.objects.active()
        .filter(block_start__lt=end, block_end__gt=start)
        .filter(Q(chair_id__in=chairs) | Q(patient=patient))
        .exclude(pk__in=list(exclude_ids))
        .values_list("patient_id", "chair_id", "start", "end", "chair_end")
    )
    chair_busy: dict[int, list] = {c: [] for c in chairs}
    patient_busy = []
    for patient_id, chair_id, a_start, a_end, chair_end in busy:
        if chair_id in chair_busy:
            chair_busy[chair_id].append((a_start, chair_end or a_end))
        if patient_id == patient.pk:
            patient_busy.append((a_start, chair_end or a_end))
    return course.PlanInputs(
        time_zone=zone_name,
        infusion=infusion_spec(appointment_type),
        chair_ids=chairs,
        days=days,
        supervisors=on_duty,
        chair_busy=chair_busy,
        patient_busy=tuple(patient_busy),
        not_before=now + dt.timedelta(hours=appointment_type.min_notice_hours),
    )


def course_infusions(course_row: Course):
    return course_row.infusions.select_related("chair", "provider").order_by("start")


def courses_for(patient):
    """The patient's courses with their infusions (2 queries)."""
    return Course.objects.filter(patient=patient).prefetch_related("infusions__chair")
