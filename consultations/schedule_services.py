"""Writes of the schedule pages that are more than one form's save."""

import datetime as dt

from django.db import transaction

from clinic.audit import services as audit

from .models import Appointment, Chair, DateOverride, Location
from .public_holidays import Holiday


def closed_dates(first: dt.date, last: dt.date) -> set[dt.date]:
    """Dates in first..last on which a whole-day clinic closure is already entered."""
    closed: set[dt.date] = set()
    rows = DateOverride.objects.overlapping(first, last).filter(
        kind=DateOverride.Kind.CLOSURE, start__isnull=True
    )
    for o in rows:
        day = max(o.start_date, first)
        while day <= min(o.end_date, last):
            closed.add(day)
            day += dt.timedelta(days=1)
    return closed


def close_on_holidays(*, days: list[Holiday]) -> list[DateOverride]:
    """One whole-day clinic closure per holiday, named after it; a day already closed all
    day is left as it is, so pressing the button twice closes nothing twice."""
    if not days:
        return []
    with transaction.atomic():
        taken = closed_dates(min(d.date for d in days), max(d.date for d in days))
        return [
            DateOverride.objects.create(
                kind=DateOverride.Kind.CLOSURE,
                start_date=d.date,
                end_date=d.date,
                note=d.name[:200],
            )
            for d in sorted(days, key=lambda d: d.date)
            if d.date not in taken
        ]


# ------------------------------------------------------------------ infusion chairs


class ChairInUse(Exception):
    """The chair holds infusions still to come: they are listed, and nothing is changed."""

    def __init__(self, bookings: list):
        self.bookings = bookings
        count = len(bookings)
        super().__init__(
            f"{count} infusion{'s are' if count != 1 else ' is'} still booked on this chair. "
            "Move each one to another chair or time first."
        )


class ChairHasHistory(Exception):
    def __init__(self):
        super().__init__(
            "Past infusions were given on this chair, so it stays in the records: "
            "deactivate it instead."
        )


def future_infusions(chair: Chair, *, now: dt.datetime) -> list[Appointment]:
    """Booked or checked-in infusions on this chair whose time (recovery included) is not
    over: what deactivating or removing it would strand. One query."""
    return list(
        Appointment.objects.filter(
            chair=chair,
            status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
            chair_end__gt=now,
        )
        .select_related("patient", "provider", "appointment_type", "location", "chair")
        .order_by("start", "pk")
    )


def _record_chair(actor, chair: Chair, action: str, **detail) -> None:
    audit.record(
        actor=actor,
        action=f"chair.{action}",
        target=chair,
        detail={"location": chair.location_id, "name": chair.name, **detail},
    )


def _lock_clinic() -> None:
    # The lock every infusion booking takes first (services._lock, course_services): a
    # booking choosing this chair and this change take turns, in the same order.
    list(Location.objects.select_for_update().filter(kind=Location.Kind.CLINIC))


def add_chair(*, location: Location, name: str, actor) -> Chair:
    """Add an active chair at a clinic location (names are unique per location)."""
    with transaction.atomic():
        chair = Chair.objects.create(location=location, name=name.strip())
        _record_chair(actor, chair, "added")
    return chair


def rename_chair(*, chair: Chair, name: str, actor) -> Chair:
    """Give a chair a new name; the bookings on it keep it."""
    with transaction.atomic():
        locked = Chair.objects.select_for_update().get(pk=chair.pk)
        old, locked.name = locked.name, name.strip()
        locked.save(update_fields=["name"])
        _record_chair(actor, locked, "renamed", old_name=old)
    return locked


def set_chair_active(*, chair: Chair, active: bool, actor, reason: str, now: dt.datetime) -> Chair:
    """Activate, or deactivate a chair with no infusions to come (else ChairInUse).

    The clinic's booking lock is taken first, so either a booking sees the chair inactive
    or this sees the booking."""
    with transaction.atomic():
        _lock_clinic()
        locked = Chair.objects.select_for_update().select_related("location").get(pk=chair.pk)
        if not active and (bookings := future_infusions(locked, now=now)):
            raise ChairInUse(bookings)
        locked.active = active
        locked.save(update_fields=["active"])
        _record_chair(actor, locked, "activated" if active else "deactivated", reason=reason)
    return locked


def remove_chair(*, chair: Chair, actor, reason: str, now: dt.datetime) -> None:
    """Delete a chair never used (else ChairHasHistory) with no infusions to come."""
    with transaction.atomic():
        _lock_clinic()
        locked = Chair.objects.select_for_update().select_related("location").get(pk=chair.pk)
        if bookings := future_infusions(locked, now=now):
            raise ChairInUse(bookings)
        if Appointment.objects.filter(chair=locked).exists():
            raise ChairHasHistory
        _record_chair(actor, locked, "removed", reason=reason)
        locked.delete()
