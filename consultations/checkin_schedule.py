"""When each outcome check-in is due, closes and gets its one nudge. Pure: plain values in.

Before each booked infusion: PEG and side effects, open from two days before until the
infusion starts. After the last infusion of a course: 1, 4 and 12 weeks, then monthly
during maintenance (MONTHLY_COUNT months). The clock restarts at each course: a booster's
follow-ups replace the earlier course's ones not yet due (CLINICAL.md §8).

Times are wall-clock in the patient's zone: "a week after 10:30" is 10:30 a week later,
across a DST change too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PRE_INFUSION_OPENS_BEFORE = timedelta(days=2)
FOLLOW_UP_OPEN_FOR = timedelta(days=14)
FOLLOW_UP_NUDGE_AFTER = timedelta(days=3)
MONTHLY_COUNT = 12

# Appointment statuses (consultations.models.AppointmentStatus values).
_UPCOMING = frozenset({"booked", "checked_in"})
_DONE = "completed"
_CANCELLED = frozenset({"cancelled_patient", "cancelled_clinic"})

FOLLOW_UP_WEEKS = (("week_1", 1), ("week_4", 4), ("week_12", 12))


@dataclass(frozen=True)
class Infusion:
    appointment_id: int
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class PlannedCheckIn:
    kind: str
    due_at: datetime
    closes_at: datetime
    appointment_id: int | None = None


def _aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def add_months(value: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later; the 31st becomes the month's last day."""
    month0 = value.month - 1 + months
    year, month = value.year + month0 // 12, month0 % 12 + 1
    next_first = datetime(year + month // 12, month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return value.replace(year=year, month=month, day=min(value.day, last_day))


def pre_infusion(infusions: Sequence[Infusion], *, now: datetime) -> list[PlannedCheckIn]:
    """One check-in per booked infusion still to come: open 2 days before, closes at start."""
    _aware(now, "now")
    return [
        PlannedCheckIn(
            "pre_infusion",
            due_at=infusion.start - PRE_INFUSION_OPENS_BEFORE,
            closes_at=infusion.start,
            appointment_id=infusion.appointment_id,
        )
        for infusion in infusions
        if infusion.status == "booked" and infusion.start > now
    ]


def course_finished_at(infusions: Sequence[Infusion]) -> datetime | None:
    """End of the last completed infusion once none is still to come; else None."""
    active = [i for i in infusions if i.status not in _CANCELLED]
    if not active or any(i.status in _UPCOMING for i in active):
        return None
    done = [i.end for i in active if i.status == _DONE]
    return max(done) if done else None


def follow_ups(
    infusions: Sequence[Infusion], *, zone: str, superseded_at: datetime | None = None
) -> list[PlannedCheckIn]:
    """1, 4, 12 weeks after the course's last infusion, then monthly; none due after a
    later course started (superseded_at), whose own follow-ups take over."""
    finished = course_finished_at(infusions)
    if finished is None:
        return []
    local = finished.astimezone(ZoneInfo(zone))
    planned = [
        PlannedCheckIn(kind, due, due + FOLLOW_UP_OPEN_FOR)
        for kind, weeks in FOLLOW_UP_WEEKS
        for due in [local + timedelta(weeks=weeks)]
    ]
    week_12 = planned[-1].due_at
    planned += [
        PlannedCheckIn("monthly", due, due + FOLLOW_UP_OPEN_FOR)
        for n in range(1, MONTHLY_COUNT + 1)
        for due in [add_months(week_12, n)]
    ]
    if superseded_at is not None:
        planned = [p for p in planned if p.due_at < superseded_at]
    return planned


def nudge_at(*, kind: str, due_at: datetime, closes_at: datetime | None) -> datetime:
    """The one reminder for a check-in not filled in: halfway to the infusion, or 3 days on."""
    if kind == "pre_infusion" and closes_at is not None:
        return due_at + (closes_at - due_at) / 2
    nudge = due_at + FOLLOW_UP_NUDGE_AFTER
    return nudge if closes_at is None or nudge < closes_at else due_at
