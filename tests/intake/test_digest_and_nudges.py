"""The timing rules of the staff digest and the intake nudges (pure, no database).

Moved with the code from tests/consultations/test_reminders.py: the rules now live beside
what they time (intake/digest.py, intake/nudges.py).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from intake.digest import daily_digest_due
from intake.nudges import intake_nudges

UTC = dt.UTC
NY = "America/New_York"
LA = "America/Los_Angeles"


def utc(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def local(zone, y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=ZoneInfo(zone))


# ------------------------------------------------------------------ digest and nudges


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2026, 3, 7), utc(2026, 3, 7, 12)),  # EST
        (dt.date(2026, 3, 8), utc(2026, 3, 8, 11)),  # EDT from 03:00 that morning
        (dt.date(2026, 10, 31), utc(2026, 10, 31, 11)),  # EDT
        (dt.date(2026, 11, 1), utc(2026, 11, 1, 12)),  # EST from 02:00 that morning
    ],
)
def test_daily_digest_at_7am_clinic_time_on_dst_days(date, expected):
    due = daily_digest_due(date=date, clinic_time_zone=NY)

    assert due == expected
    assert due.tzinfo is UTC


def test_daily_digest_at_a_custom_time_and_zone():
    due = daily_digest_due(date=dt.date(2026, 6, 15), clinic_time_zone=LA, at=dt.time(6, 30))

    assert due == utc(2026, 6, 15, 13, 30)


def test_intake_nudges_24h_and_72h_after_the_last_change():
    last_change = utc(2026, 6, 15, 14)

    assert intake_nudges(last_change=last_change, now=last_change) == [
        ("intake_nudge_24h", utc(2026, 6, 16, 14)),
        ("intake_nudge_72h", utc(2026, 6, 18, 14)),
    ]


def test_intake_nudges_are_returned_even_when_past_and_are_elapsed_time():
    last_change = local(NY, 2026, 3, 7, 10)  # 15:00Z, the day before spring forward

    nudges = intake_nudges(last_change=last_change, now=utc(2026, 3, 20, 0))

    # Both returned; the caller decides. Elapsed: 11:00 EDT the next day, not 10:00.
    assert nudges == [
        ("intake_nudge_24h", utc(2026, 3, 8, 15)),
        ("intake_nudge_72h", utc(2026, 3, 10, 15)),
    ]
    assert all(when.tzinfo is UTC for _, when in nudges)
