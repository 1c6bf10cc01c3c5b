"""Writes of the schedule pages that are more than one form's save."""

import datetime as dt

from django.db import transaction

from .models import DateOverride
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
