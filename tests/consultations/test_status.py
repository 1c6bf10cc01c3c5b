"""The transition table (consultations/status.py): every legal and illegal change, and
the time rules, with literals and no database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations import status
from consultations.models import AppointmentStatus
from consultations.status import (
    BOOKED,
    CANCELLED_CLINIC,
    CANCELLED_PATIENT,
    CHECKED_IN,
    COMPLETED,
    NO_SHOW,
    Action,
    Facts,
    NotAllowed,
    Who,
    decide,
    offered,
)

NY = ZoneInfo("America/New_York")
START = dt.datetime(2027, 1, 12, 10, 0, tzinfo=NY)
END = START + dt.timedelta(minutes=20)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
ALL = sorted(status.ALL_STATUSES)


def facts(state, now, **extra) -> Facts:
    return Facts(status=state, start=START, end=END, now=now, zone="America/New_York", **extra)


def test_the_pure_statuses_are_the_models():
    assert set(AppointmentStatus.values) == status.ALL_STATUSES
    assert set(status.LABELS) == status.ALL_STATUSES


# Each legal change: (action, who, from, the moment, reason) -> to
LEGAL = [
    (Action.CHECK_IN, Who.STAFF, BOOKED, START - 2 * HOUR, "", CHECKED_IN),  # early, same day
    (Action.CHECK_IN, Who.STAFF, BOOKED, START + 3 * HOUR, "", CHECKED_IN),  # late arrival
    (Action.COMPLETE, Who.STAFF, CHECKED_IN, START, "", COMPLETED),
    (Action.NO_SHOW, Who.STAFF, BOOKED, START, "no_contact", NO_SHOW),
    (Action.NO_SHOW, Who.STAFF, CHECKED_IN, END + HOUR, "other", NO_SHOW),
    (Action.CANCEL, Who.STAFF, BOOKED, START - 48 * HOUR, "clinic", CANCELLED_CLINIC),
    (Action.CANCEL, Who.STAFF, BOOKED, START - 48 * HOUR, "patient_asked", CANCELLED_PATIENT),
    (Action.CANCEL, Who.STAFF, BOOKED, END - MIN, "provider_unavailable", CANCELLED_CLINIC),
    (Action.CANCEL, Who.PATIENT, BOOKED, START - 24 * HOUR, "", CANCELLED_PATIENT),
    (Action.MOVE, Who.STAFF, BOOKED, START + 5 * MIN, "", BOOKED),
    (Action.MOVE, Who.PATIENT, BOOKED, START - 25 * HOUR, "", BOOKED),
]


@pytest.mark.parametrize(("action", "who", "start", "now", "reason", "to"), LEGAL)
def test_legal_changes(action, who, start, now, reason, to):
    change = decide(action, facts(start, now, who=who), reason=reason)
    assert (change.action, change.from_status, change.to_status) == (action, start, to)


ILLEGAL = [
    (rule.action, rule.who, state)
    for rule in status.RULES
    for state in ALL
    if state not in rule.from_statuses
]


@pytest.mark.parametrize(("action", "who", "state"), ILLEGAL)
def test_every_status_outside_a_rules_from_statuses_is_refused(action, who, state):
    with pytest.raises(NotAllowed, match="is not possible"):
        decide(action, facts(state, START + HOUR, who=who, previous=BOOKED))


def test_patients_only_cancel_and_move_their_own():
    for action in (Action.CHECK_IN, Action.COMPLETE, Action.NO_SHOW, Action.UNDO, "teleport"):
        with pytest.raises(NotAllowed, match="not something this button can do"):
            decide(action, facts(BOOKED, START - 72 * HOUR, who=Who.PATIENT))


def test_each_action_has_one_rule_for_each_who_found_by_its_plain_name():
    pairs = [(rule.action, rule.who) for rule in status.RULES]
    assert len(pairs) == len(set(pairs))  # rule_for() looks one up, it does not scan
    for rule in status.RULES:
        assert status.rule_for(str(rule.action), str(rule.who)) is rule
    assert status.rule_for("teleport", Who.STAFF) is None


# ------------------------------------------------------------------------- time rules


def test_check_in_opens_on_the_appointments_day_in_clinic_time():
    midnight = dt.datetime(2027, 1, 12, 0, 0, tzinfo=NY)
    assert decide(Action.CHECK_IN, facts(BOOKED, midnight)).to_status == CHECKED_IN
    with pytest.raises(NotAllowed, match="on the day of their appointment"):
        decide(Action.CHECK_IN, facts(BOOKED, midnight - MIN))


@pytest.mark.parametrize("action", [Action.NO_SHOW, Action.COMPLETE])
def test_no_show_and_completed_only_once_the_appointment_has_started(action):
    state = CHECKED_IN
    with pytest.raises(NotAllowed, match="has not started yet"):
        decide(action, facts(state, START - MIN))
    assert decide(action, facts(state, START)).from_status == state


def test_staff_cancel_or_move_until_the_appointment_ends():
    for action in (Action.CANCEL, Action.MOVE):
        decide(action, facts(BOOKED, END - MIN), reason="clinic")
        with pytest.raises(NotAllowed, match="is over"):
            decide(action, facts(BOOKED, END), reason="clinic")


def test_patients_cancel_or_move_only_outside_the_window():
    window = dt.timedelta(hours=48)
    for action in (Action.CANCEL, Action.MOVE):
        decide(action, facts(BOOKED, START - window, who=Who.PATIENT, window=window))
        with pytest.raises(NotAllowed, match="less than 48 hours"):
            decide(action, facts(BOOKED, START - window + MIN, who=Who.PATIENT, window=window))


@pytest.mark.parametrize(
    ("reason", "before_start", "late"),
    [
        ("patient_asked", 23 * HOUR, True),
        ("illness", MIN, True),
        ("weather", 2 * HOUR, True),
        ("patient_asked", 24 * HOUR, False),  # exactly the window: still in time
        ("clinic", 2 * HOUR, False),  # the clinic's own cancellations never count
        ("provider_unavailable", MIN, False),
        ("other", MIN, False),
    ],
)
def test_late_cancellation_is_the_patients_inside_the_window(reason, before_start, late):
    change = decide(Action.CANCEL, facts(BOOKED, START - before_start), reason=reason)
    assert change.late_cancellation is late
    assert (change.to_status == CANCELLED_PATIENT) is (
        reason in ("patient_asked", "illness", "weather")
    )


# ------------------------------------------------------------------------------- undo


@pytest.mark.parametrize(
    ("state", "previous"),
    [
        (CHECKED_IN, BOOKED),
        (COMPLETED, CHECKED_IN),
        (NO_SHOW, BOOKED),
        (NO_SHOW, CHECKED_IN),
        (CANCELLED_PATIENT, BOOKED),
        (CANCELLED_CLINIC, BOOKED),
    ],
)
def test_undo_puts_back_the_status_before_the_last_change(state, previous):
    changed = START - HOUR
    quick = decide(
        Action.UNDO, facts(state, changed + 10 * MIN, previous=previous, changed_at=changed)
    )
    assert (quick.to_status, quick.needs_reason) == (previous, False)
    later = decide(
        Action.UNDO, facts(state, changed + 11 * MIN, previous=previous, changed_at=changed)
    )
    assert (later.to_status, later.needs_reason) == (previous, True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"previous": None}, "no change to undo"),
        ({"previous": BOOKED, "last_was_undo": True}, "last change was an undo"),
        ({"previous": COMPLETED}, "cannot be undone"),
    ],
)
def test_undo_refusals(extra, message):
    with pytest.raises(NotAllowed, match=message):
        decide(Action.UNDO, facts(NO_SHOW, START + HOUR, changed_at=START, **extra))


def test_undo_never_restores_a_cancellation_to_checked_in():
    with pytest.raises(NotAllowed, match="cannot be undone"):
        decide(Action.UNDO, facts(CANCELLED_CLINIC, START - HOUR, previous=CHECKED_IN))


def test_a_cancellation_is_undone_only_until_the_appointment_ends():
    f = {"previous": BOOKED, "changed_at": START - HOUR}
    assert decide(Action.UNDO, facts(CANCELLED_CLINIC, END - MIN, **f)).to_status == BOOKED
    with pytest.raises(NotAllowed, match="time has passed"):
        decide(Action.UNDO, facts(CANCELLED_CLINIC, END, **f))


# ------------------------------------------------------------------------ the buttons


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (BOOKED, START - 48 * HOUR, [Action.MOVE, Action.CANCEL]),  # a future appointment
        (BOOKED, START - HOUR, [Action.CHECK_IN, Action.MOVE, Action.CANCEL]),
        (BOOKED, START, [Action.CHECK_IN, Action.MOVE, Action.CANCEL, Action.NO_SHOW]),
        (BOOKED, END, [Action.CHECK_IN, Action.NO_SHOW]),
        (CHECKED_IN, START - HOUR, [Action.UNDO]),
        (CHECKED_IN, START, [Action.COMPLETE, Action.NO_SHOW, Action.UNDO]),
        (COMPLETED, END, [Action.UNDO]),
        (NO_SHOW, END, [Action.UNDO]),
        (CANCELLED_CLINIC, START - HOUR, [Action.UNDO]),
        (CANCELLED_PATIENT, END, []),  # its time has passed
    ],
)
def test_offered_buttons_follow_the_table(state, now, expected):
    assert offered(facts(state, now)) == expected


def test_every_offered_button_is_one_decide_allows():
    moments = [START - 48 * HOUR, START - HOUR, START, END, END + HOUR]
    for state in ALL:
        for now in moments:
            for action in offered(facts(state, now)):
                decide(action, facts(state, now, previous=BOOKED, changed_at=now), reason="clinic")


def test_reasons_are_checked():
    assert status.reason_problem(Action.CANCEL, "", "") == "Choose a reason."
    assert status.reason_problem(Action.CANCEL, "made_up", "") == "Choose a reason."
    assert status.reason_problem(Action.NO_SHOW, "other", " ") == "Say what the reason is."
    assert status.reason_problem(Action.NO_SHOW, "other", "Car broke down") == ""
    assert status.reason_problem(Action.CHECK_IN, "", "") == ""  # takes none


def test_allowed_next_lists_the_days_buttons():
    assert status.allowed_next(BOOKED) == {CHECKED_IN, NO_SHOW}
    assert status.allowed_next(CHECKED_IN) == {COMPLETED, NO_SHOW}
    assert status.allowed_next(COMPLETED) == frozenset()
