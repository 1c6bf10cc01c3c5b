"""Pure outcome rules, tested with literals (no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from consultations.outcomes import (
    Change,
    FollowUp,
    Measures,
    Response,
    baseline_from_intake,
    change,
    measures_from_check_in,
    peg_response,
    pgic_improved,
    relief_fading,
    summarize,
)

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _follow_ups(*pegs):
    return [FollowUp(T0 + timedelta(weeks=n), Measures(peg=peg)) for n, peg in enumerate(pegs)]


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (10, 7, Response.RESPONDER),  # exactly 30 %
        (10, 7.1, Response.NOT_RESPONDER),  # 29 %
        (10, 5, Response.SUBSTANTIAL),  # exactly 50 %
        (10, 5.1, Response.RESPONDER),  # 49 %
        (6.3, 4.41, Response.RESPONDER),  # exactly 30 % of a one-decimal baseline
        (3.3, 2.31, Response.RESPONDER),
        (3.3, 1.65, Response.SUBSTANTIAL),
        (6, 6, Response.NOT_RESPONDER),
        (6, 8, Response.NOT_RESPONDER),  # worse
        (6, 0, Response.SUBSTANTIAL),
    ],
)
def test_responder_edges_at_30_and_50_percent(baseline, current, expected):
    assert peg_response(baseline, current) == expected


def test_missing_data_is_unknown_never_a_responder():
    assert peg_response(None, 2) == Response.UNKNOWN
    assert peg_response(8, None) == Response.UNKNOWN
    assert not Response.UNKNOWN.is_responder


def test_baseline_zero_is_unknown_and_has_no_percentage():
    assert peg_response(0, 0) == Response.UNKNOWN
    assert change(0, 3) == Change(0, 3, 3.0, None)


def test_change_from_baseline_absolute_and_percent():
    assert change(8, 6) == Change(8, 6, -2.0, -25.0)
    assert change(60, 90) == Change(60, 90, 30.0, 50.0)
    assert change(6.3, 4.2) == Change(6.3, 4.2, -2.1, -33.3)
    assert not change(None, 4).known and change(None, 4).percent is None


def test_mme_change_counts_stopping_opioids():
    assert change(120.0, 0.0) == Change(120.0, 0.0, -120.0, -100.0)


def test_baseline_from_intake_snapshot():
    scores = {
        "PEG": {"value": 7.3, "complete": True},
        "PHQ9": {"value": 12, "complete": True},
        "GAD7": {"value": None, "complete": False},
    }
    assert baseline_from_intake(scores, Decimal("60.0")) == Measures(7.3, 12, None, 60.0)


def test_baseline_mme_is_zero_for_a_patient_without_opioids():
    assert baseline_from_intake({}, None, "no").mme == 0.0
    assert baseline_from_intake({}, None, None).mme is None


def test_measures_from_check_in_scores_ignore_unreadable_values():
    got = measures_from_check_in({"peg": "4.3", "phq9": 5, "gad7": True, "mme": 40, "pgic": 2})
    assert got == Measures(4.3, 5, None, 40.0, 2)
    assert measures_from_check_in(None) == Measures()


def test_relief_fading_when_a_responder_has_lost_half_of_the_gain():
    # baseline 8, best 4 (gain 4); fading at 6 (lost 2 = half), not at 5.9
    assert relief_fading(8, [4, 6])
    assert not relief_fading(8, [4, 5.9])
    assert relief_fading(8, [5, 4, 7])


def test_relief_fading_needs_a_response_first():
    assert not relief_fading(8, [6, 7.5])  # 25 % was never a response
    assert not relief_fading(8, [])
    assert not relief_fading(0, [0, 3])
    assert not relief_fading(None, [4, 8])


def test_missed_check_ins_are_skipped_for_fading_not_read_as_improvement():
    assert relief_fading(8, [4, 6, None])
    assert not relief_fading(8, [None, None])


def test_summary_of_a_responder():
    outcome = summarize(Measures(peg=8, mme=60), _follow_ups(6, 4))
    assert outcome.response == Response.SUBSTANTIAL
    assert outcome.peg == Change(8, 4, -4.0, -50.0)
    assert outcome.mme == Change(60, None, None, None)
    assert not outcome.relief_fading and outcome.reason == ""


def test_summary_with_the_latest_check_in_missed_is_unknown_not_the_last_good_value():
    outcome = summarize(Measures(peg=8), _follow_ups(4, None))
    assert outcome.response == Response.UNKNOWN
    assert outcome.best_response == Response.SUBSTANTIAL
    assert "missed" in outcome.reason


def test_summary_without_any_check_in():
    outcome = summarize(Measures(peg=8), [])
    assert outcome.response == Response.UNKNOWN and outcome.best_response == Response.UNKNOWN
    assert not outcome.relief_fading


def test_summary_orders_follow_ups_by_due_date():
    late, early = _follow_ups(4, 7)[::-1][0], _follow_ups(4)[0]
    outcome = summarize(Measures(peg=8), [late, early])
    assert outcome.latest.peg == 7 and outcome.relief_fading


def test_summary_flags_relief_fading():
    outcome = summarize(Measures(peg=8), _follow_ups(4, 4.5, 6.5))
    assert outcome.relief_fading and outcome.response == Response.NOT_RESPONDER


def test_summary_baseline_zero_reason():
    outcome = summarize(Measures(peg=0), _follow_ups(0))
    assert outcome.response == Response.UNKNOWN and "0" in outcome.reason


@pytest.mark.parametrize(("value", "expected"), [(1, True), (2, True), (3, False), (7, False)])
def test_pgic_much_or_very_much_improved(value, expected):
    assert pgic_improved(value) is expected


def test_pgic_unanswered_or_out_of_range_is_none():
    assert pgic_improved(None) is None and pgic_improved(0) is None and pgic_improved(8) is None
