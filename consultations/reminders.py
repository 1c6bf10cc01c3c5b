"""Which reminders an appointment needs and when, in local time (pure).

The booking service turns the planned reminders into outbox rows (one per idempotency
key); the beat dispatcher sends rows as they fall due. Nothing here reads the clock or the
database: `now` is an argument, so DST days and quiet hours are tested with literals.

Time rules:
- An offset of whole days (72 h, 24 h) means "the same clock time N days earlier" in the
  APPOINTMENT's zone: a 10:00 appointment the day after a DST change is reminded at 10:00
  the day before, which is 23 or 25 real hours. Other offsets (2 h) are elapsed time.
- SMS is never sent in the PATIENT's quiet hours (default 21:00-08:00 local): it moves to
  the next quiet_end. Email waits in an inbox, so it is sent when due.
- A reminder due at or before `now`, or at or after the appointment start, is dropped: we
  never send for the past. The booking confirmation is the service's job, not a reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Set
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ReminderOffset:
    kind: str  # e.g. "reminder_72h"
    before: dt.timedelta  # 72 h, 24 h, 2 h
    channels: tuple[str, ...]  # ("email",), ("email", "sms"), ("sms",)


DEFAULT_OFFSETS = (
    ReminderOffset("reminder_72h", dt.timedelta(hours=72), ("email",)),
    ReminderOffset("reminder_24h", dt.timedelta(hours=24), ("email", "sms")),
    ReminderOffset("reminder_2h", dt.timedelta(hours=2), ("sms",)),
)


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    channel: str
    due: dt.datetime  # aware UTC
    idempotency_key: str


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _nominal_due(start: dt.datetime, before: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    if before > dt.timedelta(0) and before % DAY == dt.timedelta(0):
        # Subtracting from an aware datetime in its own zone is wall-clock arithmetic;
        # astimezone then applies the offset in force on the earlier day. fold=0: a
        # repeated wall time means its first occurrence, the earlier (more notice) one.
        local = start.astimezone(zone).replace(fold=0) - before
        return local.astimezone(UTC)
    return (start - before).astimezone(UTC)


def sms_quiet_hours_shift(
    due: dt.datetime, patient_time_zone: str, quiet_start: dt.time, quiet_end: dt.time
) -> dt.datetime:
    """`due` in UTC, moved to the next quiet_end (patient's local time) if inside quiet hours.

    Quiet hours are [quiet_start, quiet_end) and may wrap midnight (21:00-08:00). Equal
    bounds mean no quiet hours.
    """
    _require_aware(due, "due")
    zone = ZoneInfo(patient_time_zone)
    local = due.astimezone(zone)
    clock = local.time()
    if quiet_start == quiet_end:
        return due.astimezone(UTC)
    if quiet_start < quiet_end:
        quiet = quiet_start <= clock < quiet_end
        resume_date = local.date()
    else:
        quiet = clock >= quiet_start or clock < quiet_end
        # In the evening part of a wrapping window, quiet hours end tomorrow morning.
        resume_date = local.date() + DAY if clock >= quiet_start else local.date()
    if not quiet:
        return due.astimezone(UTC)
    resume = dt.datetime.combine(resume_date, quiet_end.replace(tzinfo=None), tzinfo=zone)
    return resume.astimezone(UTC)


def plan_reminders(
    *,
    appointment_id: int,
    start: dt.datetime,
    appointment_time_zone: str,
    patient_time_zone: str,
    now: dt.datetime,
    offsets: Iterable[ReminderOffset] = DEFAULT_OFFSETS,
    channels_allowed: Set[str] = frozenset({"email", "sms"}),
    quiet_start: dt.time = dt.time(21, 0),
    quiet_end: dt.time = dt.time(8, 0),
) -> list[PlannedReminder]:
    """Reminders still worth sending for an appointment at `start`, sorted by due time.

    Keys are "appt:{id}:{kind}:{channel}:{due}:{start}" (UTC isoformat): re-planning an
    unchanged appointment gives the same keys, and any reschedule gives new ones. The start
    is in the key because a quiet-hours shift maps different starts to one due time (09:00
    and 09:30 both get an 08:00 SMS); with due alone a reschedule would collide with the
    cancelled row's key and the new reminder would be lost.
    """
    _require_aware(start, "start")
    _require_aware(now, "now")
    start = start.astimezone(UTC)
    zone = ZoneInfo(appointment_time_zone)
    planned: list[PlannedReminder] = []
    for offset in offsets:
        nominal = _nominal_due(start, offset.before, zone)
        for channel in offset.channels:
            if channel not in channels_allowed:  # e.g. no SMS consent
                continue
            due = nominal
            if channel == "sms":
                due = sms_quiet_hours_shift(due, patient_time_zone, quiet_start, quiet_end)
            if due <= now or due >= start:
                continue
            key = (
                f"appt:{appointment_id}:{offset.kind}:{channel}:"
                f"{due.isoformat()}:{start.isoformat()}"
            )
            planned.append(PlannedReminder(offset.kind, channel, due, key))
    planned.sort(key=lambda reminder: (reminder.due, reminder.kind, reminder.channel))
    return planned


# ------------------------------------------------------- what the patient can still do


@dataclass(frozen=True)
class PatientOptions:
    """What a reminder sent at `at` can offer: online changes until `change_until`, or
    (inside the cancellation window) only a call to the clinic."""

    change_online: bool
    change_until: dt.datetime  # aware UTC: when online changes stop


def patient_options(*, start: dt.datetime, at: dt.datetime, window: dt.timedelta) -> PatientOptions:
    """Whether a patient reading a reminder at `at` may still move or cancel online: until
    `window` before the start (the same rule as Appointment.is_cancellable_by_patient)."""
    _require_aware(start, "start")
    _require_aware(at, "at")
    until = (start - window).astimezone(UTC)
    return PatientOptions(change_online=at <= until, change_until=until)
