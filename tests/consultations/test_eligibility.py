"""Who may book which type (pure rules), and how notice fits the cancellation window."""

import pytest

from consultations import eligibility as el

NEW = el.PatientHistory()
NEW_APPROVED = el.PatientHistory(approved_intake=True)
CONSULTED = el.PatientHistory(completed_consultation=True, approved_intake=True)
DECLINED = el.PatientHistory(declined_intake=True)
DECLINED_CONSULTED = el.PatientHistory(completed_consultation=True, declined_intake=True)
# The clinician's outcome of the consultation: "proceed to a course of infusions".
PROCEED = el.PatientHistory(completed_consultation=True, approved_intake=True, proceed_outcome=True)
DECLINED_PROCEED = el.PatientHistory(
    completed_consultation=True, declined_intake=True, proceed_outcome=True
)

# The clinic's three types as the migration sets them: rule, needs an approved intake.
INITIAL = (el.NEW_PATIENT, True)
FOLLOW_UP = (el.RETURNING, False)
INFUSION = (el.STAFF_AFTER_CONSULTATION, True, True)  # the third: it is an infusion
# A clinic that made infusions bookable by anyone still needs "proceed" first.
OPEN_INFUSION = (el.ANY_PATIENT, False, True)


def _check(rule, history, by_staff):
    bookable_by, requires_approval, *infusion = rule
    return el.check(
        bookable_by=bookable_by,
        requires_approval=requires_approval,
        history=history,
        by_staff=by_staff,
        is_infusion=bool(infusion and infusion[0]),
    )


# Every type × patient state × who books: (allowed, refusal code, staff override needed).
TABLE = [
    # initial consultation: new patients only; approval needed (staff: with a reason)
    (INITIAL, NEW, False, False, "needs_approval", False),
    (INITIAL, NEW, True, True, "", True),
    (INITIAL, NEW_APPROVED, False, True, "", False),
    (INITIAL, NEW_APPROVED, True, True, "", False),
    (INITIAL, CONSULTED, False, False, "had_consultation", False),
    (INITIAL, CONSULTED, True, False, "had_consultation", False),
    (INITIAL, DECLINED, False, False, "needs_approval", False),
    (INITIAL, DECLINED, True, True, "", True),
    # follow-up: only after a completed consultation
    (FOLLOW_UP, NEW, False, False, "no_consultation", False),
    (FOLLOW_UP, NEW, True, False, "no_consultation", False),
    (FOLLOW_UP, NEW_APPROVED, False, False, "no_consultation", False),
    (FOLLOW_UP, CONSULTED, False, True, "", False),
    (FOLLOW_UP, CONSULTED, True, True, "", False),
    (FOLLOW_UP, DECLINED, False, False, "no_consultation", False),
    (FOLLOW_UP, DECLINED_CONSULTED, False, False, "declined", False),
    (FOLLOW_UP, DECLINED_CONSULTED, True, True, "", False),
    # infusion: staff only, after a consultation whose outcome is "proceed"
    (INFUSION, NEW, False, False, "staff_only", False),
    (INFUSION, NEW, True, False, "no_consultation", False),
    (INFUSION, NEW_APPROVED, True, False, "no_consultation", False),
    (INFUSION, CONSULTED, False, False, "staff_only", False),
    (INFUSION, CONSULTED, True, False, "no_proceed", False),
    (INFUSION, PROCEED, False, False, "staff_only", False),
    (INFUSION, PROCEED, True, True, "", False),
    (INFUSION, DECLINED_CONSULTED, False, False, "staff_only", False),
    (INFUSION, DECLINED_CONSULTED, True, False, "no_proceed", False),
    (INFUSION, DECLINED_PROCEED, True, True, "", True),
    (OPEN_INFUSION, CONSULTED, False, False, "no_proceed", False),
    (OPEN_INFUSION, CONSULTED, True, False, "no_proceed", False),
    (OPEN_INFUSION, PROCEED, False, True, "", False),
    # a clinic's own types: anyone, or staff for anyone
    ((el.ANY_PATIENT, False), NEW, False, True, "", False),
    ((el.ANY_PATIENT, False), CONSULTED, False, True, "", False),
    ((el.ANY_PATIENT, False), DECLINED, False, False, "declined", False),
    ((el.ANY_PATIENT, False), DECLINED, True, True, "", False),
    ((el.STAFF_ONLY, False), NEW, False, False, "staff_only", False),
    ((el.STAFF_ONLY, False), NEW, True, True, "", False),
]


@pytest.mark.parametrize(("rule", "history", "by_staff", "allowed", "code", "override"), TABLE)
def test_each_type_for_each_patient_state(rule, history, by_staff, allowed, code, override):
    verdict = _check(rule, history, by_staff)
    assert (verdict.allowed, verdict.code, verdict.needs_override) == (allowed, code, override)


def test_a_declined_patient_booked_by_staff_into_a_type_without_approval_warns_staff():
    verdict = _check(FOLLOW_UP, DECLINED_CONSULTED, by_staff=True)
    assert verdict.allowed and "declined" in verdict.warning
    assert _check(FOLLOW_UP, CONSULTED, by_staff=True).warning == ""


def test_an_approval_after_a_decline_clears_the_warning():
    history = el.PatientHistory(
        completed_consultation=True, approved_intake=True, declined_intake=True
    )
    verdict = _check(FOLLOW_UP, history, by_staff=False)
    assert verdict.allowed and not verdict.warning


def test_a_patient_waiting_for_approval_still_sees_the_initial_consultation():
    assert el.patient_sees(_check(INITIAL, NEW, by_staff=False))
    assert not el.patient_sees(_check(FOLLOW_UP, NEW, by_staff=False))
    assert not el.patient_sees(_check(INFUSION, CONSULTED, by_staff=False))


def test_every_refusal_has_words_for_staff_and_patient():
    codes = {row[4] for row in TABLE if row[4]}
    for code in codes - {"needs_approval", "declined"}:
        assert el.STAFF_REASONS[code]
    for code in codes:
        assert el.PATIENT_REASONS[code]


# ------------------------------------------------------ notice and cancellation window


def test_notice_equal_to_the_window_is_flagged():
    [warning] = el.notice_conflicts(window_hours=24, types=[("Follow-up", 24)])
    assert "Follow-up" in warning and "no time at all" in warning and "48 hours" in warning


def test_notice_a_day_longer_than_the_window_is_coherent():
    assert el.notice_conflicts(window_hours=24, types=[("Initial", 48), ("Follow-up", 72)]) == []


def test_notice_a_few_hours_longer_than_the_window_says_how_long_is_left():
    [warning] = el.notice_conflicts(window_hours=24, types=[("Initial", 30)])
    assert "only 6 hours" in warning


def test_a_longer_window_makes_the_default_notice_too_short():
    assert len(el.notice_conflicts(window_hours=48, types=[("Initial", 48)])) == 1
    assert el.notice_conflicts(window_hours=0, types=[("Initial", 24)]) == []
