"""Which status changes an appointment may make, by whom and when (pure).

One table, `RULES`: action, the statuses it starts from, the status it leads to, who may
do it and its time rule. The services ask `decide()` before they write anything and the
buttons ask `offered()` before they are drawn, so a page never offers what the service
would refuse. Nothing here reads the clock or the database: `now` is an argument.

Time rules, in the clinic's words:
- Check in from the appointment's day (clinic time) on; completed and no-show only once
  the appointment has started (a no-show before the start is a guess, not a fact).
- Staff cancel or move a booked appointment until it ends; patients only until the
  cancellation window. A cancellation the patient asked for inside the window is a late
  cancellation (a flag on the appointment); the clinic's own cancellations never are.
- Undo puts back the status before the last change: without a reason within
  UNDO_WITHOUT_REASON of that change, later with one. A cancellation can be undone only
  until the appointment would have ended, and an undo is never itself undone (set the
  status again instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

# The model's AppointmentStatus values (tests/consultations/test_status.py keeps them equal).
BOOKED = "booked"
CHECKED_IN = "checked_in"
COMPLETED = "completed"
NO_SHOW = "no_show"
CANCELLED_PATIENT = "cancelled_patient"
CANCELLED_CLINIC = "cancelled_clinic"
ALL_STATUSES = frozenset(
    {BOOKED, CHECKED_IN, COMPLETED, NO_SHOW, CANCELLED_PATIENT, CANCELLED_CLINIC}
)
CANCELLED = frozenset({CANCELLED_PATIENT, CANCELLED_CLINIC})
LABELS = {
    BOOKED: "booked",
    CHECKED_IN: "checked in",
    COMPLETED: "completed",
    NO_SHOW: "a no-show",
    CANCELLED_PATIENT: "cancelled by the patient",
    CANCELLED_CLINIC: "cancelled by the clinic",
}

UNDO_WITHOUT_REASON = dt.timedelta(minutes=10)


class Action(StrEnum):
    CHECK_IN = "check_in"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    CANCEL = "cancel"
    MOVE = "move"
    UNDO = "undo"


class Who(StrEnum):
    STAFF = "staff"
    PATIENT = "patient"


class NotAllowed(Exception):
    """The action cannot be done to this appointment now (the message says why)."""


# ------------------------------------------------------------------------------ reasons


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    by_patient: bool = False  # cancellations: whose cancellation it is
    needs_note: bool = False


# No clinical detail is asked for: the front desk records why, not what is wrong.
CANCEL_REASONS = (
    Reason("patient_asked", "The patient asked to cancel", by_patient=True),
    Reason("illness", "The patient is unwell", by_patient=True),
    Reason("weather", "Weather: the patient cannot travel", by_patient=True),
    Reason("provider_unavailable", "The provider is unavailable"),
    Reason("clinic", "The clinic closed or changed its schedule"),
    Reason("other", "Other (say what below)", needs_note=True),
)
NO_SHOW_REASONS = (
    Reason("no_contact", "Did not come and did not contact us"),
    Reason("no_driver", "No driver or transport"),
    Reason("illness", "Unwell"),
    Reason("weather", "Weather"),
    Reason("called_after_start", "Called after the start time"),
    Reason("other", "Other (say what below)", needs_note=True),
)
REASONS = {Action.CANCEL: CANCEL_REASONS, Action.NO_SHOW: NO_SHOW_REASONS}


def reason_for(action: str, code: str) -> Reason | None:
    return next((r for r in REASONS.get(action, ()) if r.code == code), None)


def reason_problem(action: str, code: str, note: str) -> str:
    """Why this reason will not do ("" when it will, or when the action takes none)."""
    if action not in REASONS:
        return ""
    reason = reason_for(action, code)
    if reason is None:
        return "Choose a reason."
    if reason.needs_note and not note.strip():
        return "Say what the reason is."
    return ""


# ------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Facts:
    """What the rules look at: plain values the service reads from the appointment."""

    status: str
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    who: Who = Who.STAFF
    zone: str = "UTC"  # the clinic's, for "the appointment's day"
    window: dt.timedelta = dt.timedelta(hours=24)  # the clinic's cancellation window
    # The last status change (undo only): the status before it, when, and was it an undo.
    previous: str | None = None
    changed_at: dt.datetime | None = None
    last_was_undo: bool = False


def _on_or_after_the_day(f: Facts) -> str:
    zone = ZoneInfo(f.zone)
    if f.now.astimezone(zone).date() < f.start.astimezone(zone).date():
        return "Patients are checked in on the day of their appointment."
    return ""


def _started(f: Facts) -> str:
    if f.now < f.start:
        return "The appointment has not started yet."
    return ""


def _not_ended(f: Facts) -> str:
    if f.now >= f.end:
        return "The appointment is over."
    return ""


def _outside_window(f: Facts) -> str:
    if f.start - f.now < f.window:
        hours = f.window / dt.timedelta(hours=1)
        return f"It is less than {hours:g} hours before the appointment."
    return ""


def _undoable(f: Facts) -> str:
    if f.previous is None:
        return "There is no change to undo."
    if f.last_was_undo:
        return "The last change was an undo; set the status again instead."
    if f.previous not in (BOOKED, CHECKED_IN) or (f.status in CANCELLED and f.previous != BOOKED):
        return "That change cannot be undone."
    if f.status in CANCELLED and f.now >= f.end:
        return "The appointment's time has passed: book a new appointment instead."
    return ""


@dataclass(frozen=True)
class Rule:
    action: Action
    who: Who
    from_statuses: frozenset[str]
    to_status: str | None  # None: cancel (by the reason) and undo (the status before)
    when: str  # the time rule, in words
    check: Callable[[Facts], str]  # "" when allowed, else why not


RULES = (
    Rule(
        Action.CHECK_IN,
        Who.STAFF,
        frozenset({BOOKED}),
        CHECKED_IN,
        "from the appointment's day on",
        _on_or_after_the_day,
    ),
    Rule(
        Action.COMPLETE,
        Who.STAFF,
        frozenset({CHECKED_IN}),
        COMPLETED,
        "once it has started",
        _started,
    ),
    Rule(
        Action.NO_SHOW,
        Who.STAFF,
        frozenset({BOOKED, CHECKED_IN}),
        NO_SHOW,
        "once it has started",
        _started,
    ),
    Rule(Action.CANCEL, Who.STAFF, frozenset({BOOKED}), None, "until it ends", _not_ended),
    Rule(
        Action.CANCEL,
        Who.PATIENT,
        frozenset({BOOKED}),
        CANCELLED_PATIENT,
        "until the cancellation window",
        _outside_window,
    ),
    Rule(Action.MOVE, Who.STAFF, frozenset({BOOKED}), BOOKED, "until it ends", _not_ended),
    Rule(
        Action.MOVE,
        Who.PATIENT,
        frozenset({BOOKED}),
        BOOKED,
        "until the cancellation window",
        _outside_window,
    ),
    Rule(
        Action.UNDO,
        Who.STAFF,
        frozenset({CHECKED_IN, COMPLETED, NO_SHOW, CANCELLED_PATIENT, CANCELLED_CLINIC}),
        None,
        "the last change: within 10 minutes, later with a reason",
        _undoable,
    ),
)


_RULE_FOR = {(r.action, r.who): r for r in RULES}  # one rule per action and who (tested)


def rule_for(action: str, who: Who) -> Rule | None:
    # A look-up, not a scan: the calendar asks it six times for each of hundreds of
    # appointments. Action and Who are StrEnums, so a plain "check_in" finds its rule too.
    return _RULE_FOR.get((action, who))


@dataclass(frozen=True)
class Change:
    action: Action
    from_status: str
    to_status: str
    late_cancellation: bool = False
    needs_reason: bool = False  # an undo after UNDO_WITHOUT_REASON


def _refuse(f: Facts, action: str) -> NotAllowed:
    return NotAllowed(
        f"This appointment is {LABELS.get(f.status, f.status)}; {action} is not possible."
    )


def decide(action: str, f: Facts, *, reason: str = "") -> Change:
    """The change `action` makes now, or NotAllowed saying why not.

    `reason` is the cancel reason's code (it says whose cancellation it is).
    """
    rule = rule_for(action, f.who)
    if rule is None:
        raise NotAllowed("That is not something this button can do.")
    words = ACTION_WORDS[rule.action]
    if f.status not in rule.from_statuses:
        raise _refuse(f, words)
    if problem := rule.check(f):
        raise NotAllowed(f"{problem} It cannot be {PAST[rule.action]} now.")
    if rule.action == Action.CANCEL:
        chosen = reason_for(Action.CANCEL, reason)
        by_patient = f.who == Who.PATIENT or (chosen is not None and chosen.by_patient)
        to = CANCELLED_PATIENT if by_patient else CANCELLED_CLINIC
        late = by_patient and f.start - f.now < f.window
        return Change(rule.action, f.status, to, late_cancellation=late)
    if rule.action == Action.UNDO:
        late = f.changed_at is None or f.now - f.changed_at > UNDO_WITHOUT_REASON
        return Change(rule.action, f.status, f.previous, needs_reason=late)
    return Change(rule.action, f.status, rule.to_status)


ACTION_WORDS = {
    Action.CHECK_IN: "checking in",
    Action.COMPLETE: "marking it completed",
    Action.NO_SHOW: "marking a no-show",
    Action.CANCEL: "cancelling",
    Action.MOVE: "moving it",
    Action.UNDO: "undoing",
}
PAST = {
    Action.CHECK_IN: "checked in",
    Action.COMPLETE: "marked completed",
    Action.NO_SHOW: "marked a no-show",
    Action.CANCEL: "cancelled",
    Action.MOVE: "moved",
    Action.UNDO: "undone",
}


def offered(f: Facts) -> list[Action]:
    """The staff actions a button may be drawn for now, in the order they are drawn.

    Undo is offered on what the appointment alone shows (its status and times); the
    confirmation page then reads the last change and may still refuse or ask for a reason.
    """
    actions = [
        rule.action for rule in _OFFERED if f.status in rule.from_statuses and not rule.check(f)
    ]
    if f.status in _UNDO.from_statuses and not (f.status in CANCELLED and f.now >= f.end):
        actions.append(Action.UNDO)
    return actions


# The staff rules offered() reads, in the order their buttons are drawn.
_OFFERED = tuple(
    _RULE_FOR[(action, Who.STAFF)]
    for action in (Action.CHECK_IN, Action.COMPLETE, Action.MOVE, Action.CANCEL, Action.NO_SHOW)
)
_UNDO = _RULE_FOR[(Action.UNDO, Who.STAFF)]


def allowed_next(status: str) -> frozenset[str]:
    """The statuses staff may set from `status` with the day's buttons, any time aside."""
    return frozenset(
        r.to_status
        for r in RULES
        if r.who == Who.STAFF
        and r.action in (Action.CHECK_IN, Action.COMPLETE, Action.NO_SHOW)
        and status in r.from_statuses
    )
