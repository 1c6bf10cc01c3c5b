"""What the series planner needs, loaded in a fixed number of queries (6, however many days,
chairs, supervisors or existing infusions), and the facts a course page shows.

Opening hours are read as a pseudo-provider's working hours in the clinic's zone, so a
closure (whole day or part day) is cut out exactly as the booking pickers cut it; the
supervisors' on-duty time is their working hours with time off and closures applied. Their
bookings are not loaded: supervising infusions takes none of a clinician's time.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

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
from .selectors import override_spec

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
    """The planner's inputs for first..last (local dates): 6 queries.

    `exclude_ids`: appointments to leave out (the infusion being moved).
    """
    zone_name = settings.CLINIC_TIME_ZONE
    chairs = tuple(
        Chair.objects.filter(location=location, active=True)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    supervisors = [
        av.ProviderSpec(p.pk, p.time_zone)
        for p in Provider.objects.filter(active=True, supervises_infusions=True)
    ]
    supervisor_ids = [p.id for p in supervisors]
    # Plain rows, not model instances (a hundred of them on a busy clinic's plan).
    hours = [
        av.WorkingHoursSpec(*row)
        for row in WorkingHours.objects.filter(provider_id__in=supervisor_ids).values_list(
            "provider_id", "weekday", "start", "end", "valid_from", "valid_to"
        )
    ]
    opening = [
        av.WorkingHoursSpec(LOCATION_HOURS, *row)
        for row in OpeningHours.objects.filter(location=location).values_list(
            "weekday", "start", "end"
        )
    ]
    rows = DateOverride.objects.overlapping(
        first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    )
    overrides = [override_spec(o) for o in rows]
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
