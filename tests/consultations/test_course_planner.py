"""consultations.course: the infusion-series planner (pure, no database).

Dates: 2026-12-07 is a Monday (New York on EST, UTC-5). US DST 2026: spring forward Sunday
2026-03-08, fall back Sunday 2026-11-01. An infusion is 60 minutes + 60 minutes' recovery.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from consultations.course import (
    AFTERNOON,
    MORNING,
    InfusionSpec,
    PlanInputs,
    PlannedInfusion,
    SeriesRules,
    move_problem,
    plan_series,
    series_problem,
)

NY_NAME = "America/New_York"
NY = ZoneInfo(NY_NAME)
UTC = dt.UTC
MONDAY = dt.date(2026, 12, 7)
INFUSION = InfusionSpec(duration=dt.timedelta(minutes=60), recovery=dt.timedelta(minutes=60))
DR_LEE, DR_PATEL = 1, 2
CHAIR_A, CHAIR_B = 11, 12


def ny(date, clock):
    return dt.datetime.combine(date, dt.time.fromisoformat(clock), tzinfo=NY)


def day(offset):
    return MONDAY + dt.timedelta(days=offset)


def dates(first, days):
    return [first + dt.timedelta(days=i) for i in range(days)]


def hours(first, days, open_="09:00", close="17:00", weekdays_only=True):
    """The same local opening hours on each date (weekends closed unless told)."""
    return {
        d: ((ny(d, open_), ny(d, close)),)
        for d in dates(first, days)
        if not (weekdays_only and d.weekday() >= 5)
    }


def inputs(first=MONDAY, span=28, **overrides):
    opening = overrides.pop("days", None) or hours(first, span)
    on_duty = [iv for ivs in opening.values() for iv in ivs]
    values = {
        "time_zone": NY_NAME,
        "infusion": INFUSION,
        "chair_ids": (CHAIR_A, CHAIR_B),
        "days": opening,
        "supervisors": {DR_LEE: on_duty},
    }
    values.update(overrides)
    return PlanInputs(**values)


def rules(count=6, first=MONDAY, **kw):
    return SeriesRules(count=count, first_date=first, **kw)


def local(infusion):
    return infusion.start.astimezone(NY)


def test_six_infusions_on_alternate_weekdays_at_the_earliest_time():
    plan = plan_series(rules(), inputs())
    assert plan.ok
    series = plan.proposal
    assert [local(i).date() for i in series.infusions] == [
        day(0),
        day(2),
        day(4),
        day(7),
        day(9),
        day(11),
    ]
    assert {local(i).time() for i in series.infusions} == {dt.time(9)}
    first = series.infusions[0]
    assert first.end - first.start == dt.timedelta(minutes=60)
    assert first.chair_end - first.end == dt.timedelta(minutes=60)
    assert (first.chair_id, first.provider_id) == (CHAIR_A, DR_LEE)


def test_the_chair_time_with_recovery_ends_inside_opening_hours():
    # Open 15:00-17:00 only: a 16:00 start would end recovery at 18:00 and is never offered.
    opening = hours(MONDAY, 28, open_="15:00", close="17:00")
    plan = plan_series(rules(count=4), inputs(days=opening))
    assert {local(i).time() for i in plan.proposal.infusions} == {dt.time(15)}
    for option in plan.options:
        for infusion in option.infusions:
            assert infusion.chair_end.astimezone(NY).time() <= dt.time(17)


def test_recovery_keeps_the_chair_busy_for_the_next_patient():
    # Chair A is taken 09:00-11:00 (an infusion and its recovery) every date; chair B 09:00-10:30.
    opening = hours(MONDAY, 28)
    busy_a = [(ny(d, "09:00"), ny(d, "11:00")) for d in opening]
    busy_b = [(ny(d, "09:00"), ny(d, "10:30")) for d in opening]
    plan = plan_series(
        rules(count=4),
        inputs(chair_busy={CHAIR_A: busy_a, CHAIR_B: busy_b}),
    )
    first = plan.proposal.infusions[0]
    assert (local(first).time(), first.chair_id) == (dt.time(10, 30), CHAIR_B)


def test_infusions_run_only_while_a_supervisor_is_on_duty_for_the_whole_chair_time():
    opening = hours(MONDAY, 28)
    # Dr Lee supervises 12:00-13:30 only: a 60 + 60 minute chair time does not fit; Dr Patel
    # from 13:00 to 17:00 does.
    supervisors = {
        DR_LEE: [(ny(d, "12:00"), ny(d, "13:30")) for d in opening],
        DR_PATEL: [(ny(d, "13:00"), ny(d, "17:00")) for d in opening],
    }
    plan = plan_series(rules(count=4), inputs(supervisors=supervisors))
    first = plan.proposal.infusions[0]
    assert (local(first).time(), first.provider_id) == (dt.time(13), DR_PATEL)


def test_two_infusions_at_once_on_two_chairs_share_one_supervisor():
    # Chair A holds another patient's infusion (supervised by Dr Lee, the only supervisor)
    # 09:00-11:00 every date: this series takes chair B at 09:00, Dr Lee watching both.
    opening = hours(MONDAY, 28)
    other = [(ny(d, "09:00"), ny(d, "11:00")) for d in opening]
    plan = plan_series(rules(count=4), inputs(chair_busy={CHAIR_A: other}))
    for infusion in plan.proposal.infusions:
        assert (local(infusion).time(), infusion.chair_id) == (dt.time(9), CHAIR_B)
        assert infusion.provider_id == DR_LEE
    assert series_problem(inputs(chair_busy={CHAIR_A: other}), plan.proposal.infusions) == ""


def test_a_third_infusion_at_once_does_not_fit_on_two_chairs():
    opening = hours(MONDAY, 28)
    both = [(ny(d, "09:00"), ny(d, "11:00")) for d in opening]
    busy = {CHAIR_A: both, CHAIR_B: both}
    plan = plan_series(rules(count=4), inputs(chair_busy=busy))
    assert {local(i).time() for i in plan.proposal.infusions} == {dt.time(11)}
    at_nine = PlannedInfusion(
        ny(MONDAY, "09:00"), ny(MONDAY, "10:00"), ny(MONDAY, "11:00"), CHAIR_B, DR_LEE
    )
    assert "that chair was just taken" in series_problem(inputs(chair_busy=busy), [at_nine])


def test_a_supervisor_on_time_off_supervises_nothing_and_the_reason_says_so():
    # Dr Lee is on duty in the first week only (time off the second, already cut out of
    # the on-duty intervals by the selector): three infusions fit, the fourth does not.
    opening = hours(MONDAY, 14)
    first_week = [iv for d, ivs in opening.items() if d < day(7) for iv in ivs]
    plan = plan_series(rules(count=4), inputs(days=opening, supervisors={DR_LEE: first_week}))
    assert not plan.ok and plan.fitted == 3
    assert plan.reason == (
        "Only 3 of 4 infusions fit between Dec 7 and Dec 20: no supervising clinician is on "
        "duty long enough on Dec 14, Dec 15, Dec 16, Dec 17 and 1 more. Try a longer window "
        "or fewer infusions."
    )
    on_leave = PlannedInfusion(
        ny(day(7), "09:00"), ny(day(7), "10:00"), ny(day(7), "11:00"), CHAIR_A, DR_LEE
    )
    problem = series_problem(inputs(days=opening, supervisors={DR_LEE: first_week}), [on_leave])
    assert problem == "Dec 14: the supervising clinician is not on duty for all of it."


def test_no_supervisor_on_duty_is_the_reason_nothing_fits():
    plan = plan_series(rules(count=4), inputs(supervisors={DR_LEE: []}))
    assert not plan.ok
    assert "No infusion fits between Dec 7 and Dec 20" in plan.reason
    assert "no supervising clinician is on duty" in plan.reason


def test_the_gap_leaves_free_days_between_infusions():
    consecutive = plan_series(rules(count=5, min_gap_days=0), inputs())
    assert [local(i).date() for i in consecutive.proposal.infusions] == dates(MONDAY, 5)
    two_free = plan_series(rules(count=4, min_gap_days=2, window_days=21), inputs())
    got = [local(i).date() for i in two_free.proposal.infusions]
    assert all((b - a).days >= 3 for a, b in zip(got, got[1:], strict=False))


def test_weekdays_only_skips_weekends_even_when_the_clinic_is_open():
    opening = hours(MONDAY, 28, weekdays_only=False)
    weekdays = plan_series(rules(count=6, min_gap_days=0), inputs(days=opening))
    assert all(local(i).weekday() < 5 for i in weekdays.proposal.infusions)
    any_day = plan_series(rules(count=6, min_gap_days=0, weekdays_only=False), inputs(days=opening))
    assert [local(i).date() for i in any_day.proposal.infusions] == dates(MONDAY, 6)


def test_the_preferred_time_of_day_is_taken_where_it_is_free():
    plan = plan_series(rules(count=4, preferred_times=frozenset({AFTERNOON})), inputs())
    assert {local(i).time() for i in plan.proposal.infusions} == {dt.time(14)}
    # The alternative offers the other times of day.
    assert any(local(option.infusions[0]).time() < dt.time(11) for option in plan.options[1:])


def test_two_alternatives_other_times_and_a_later_start():
    plan = plan_series(rules(count=4, preferred_times=frozenset({MORNING})), inputs())
    assert len(plan.options) == 3
    assert len({option.key() for option in plan.options}) == 3
    proposal, other_times, later = plan.options
    assert local(other_times.infusions[0]).time() >= dt.time(11)
    assert local(later.infusions[0]).date() > local(proposal.infusions[0]).date()
    assert later.label.startswith("Starting Dec")


def test_full_chairs_move_the_series_and_are_named_when_nothing_fits():
    opening = hours(MONDAY, 14)
    full = [(ny(d, "09:00"), ny(d, "17:00")) for d in opening if d >= day(7)]
    plan = plan_series(
        rules(count=6),
        inputs(days=opening, chair_busy={CHAIR_A: full, CHAIR_B: full}),
    )
    assert not plan.ok
    assert plan.fitted == 3
    assert plan.reason.startswith("Only 3 of 6 infusions fit between Dec 7 and Dec 20")
    assert "the chairs are full on Dec 14, Dec 15, Dec 16, Dec 17 and 1 more" in plan.reason


def test_closures_and_the_patients_own_appointments_are_avoided():
    closed = [(ny(day(0), "00:00"), ny(day(1), "00:00"))]
    patient = [(ny(day(2), "08:00"), ny(day(2), "18:00"))]
    plan = plan_series(rules(count=4), inputs(closures=closed, patient_busy=patient))
    got = [local(i).date() for i in plan.proposal.infusions]
    assert got[0] == day(1)
    assert day(2) not in got


def test_the_minimum_notice_is_respected():
    plan = plan_series(rules(count=4), inputs(not_before=ny(MONDAY, "12:20")))
    assert local(plan.proposal.infusions[0]) == ny(MONDAY, "12:30")


def test_a_window_too_short_for_the_spacing_says_so():
    plan = plan_series(rules(count=6, window_days=7), inputs())
    assert not plan.ok
    assert "Only 3 of 6" in plan.reason
    assert "window is too short" in plan.reason


def test_bad_rules_and_missing_chairs_read_plainly():
    assert "between 1 and 12" in plan_series(rules(count=0), inputs()).reason
    assert "No infusion chair" in plan_series(rules(), inputs(chair_ids=())).reason


def test_dst_spring_forward_week_keeps_local_times_and_real_lengths():
    # Mon Mar 2 - Fri Mar 13 2026 spans Sunday Mar 8 (EST -> EDT).
    first = dt.date(2026, 3, 2)
    plan = plan_series(rules(count=6, first=first), inputs(first=first))
    series = plan.proposal
    assert {local(i).time() for i in series.infusions} == {dt.time(9)}
    assert {i.chair_end - i.start for i in series.infusions} == {dt.timedelta(hours=2)}
    utc_hours = [i.start.astimezone(UTC).hour for i in series.infusions]
    assert utc_hours == [14, 14, 14, 13, 13, 13]


def test_dst_fall_back_week_keeps_local_times():
    first = dt.date(2026, 10, 26)
    plan = plan_series(rules(count=6, first=first), inputs(first=first))
    utc_hours = [i.start.astimezone(UTC).hour for i in plan.proposal.infusions]
    assert utc_hours == [13, 13, 13, 14, 14, 14]


def test_a_chair_time_across_the_dst_change_is_never_offered():
    # Open from midnight on Sunday Mar 8: every 2 h chair time starting before 02:00 EST
    # would end in EDT, so the first one offered starts at 03:00 EDT.
    night = dt.date(2026, 3, 8)
    opening = {night: ((ny(night, "00:00"), ny(night, "06:00")),)}
    plan = plan_series(
        rules(count=1, first=night, window_days=1, weekdays_only=False),
        inputs(days=opening),
    )
    first = plan.proposal.infusions[0]
    assert local(first).time() == dt.time(3)
    assert local(first).utcoffset() == first.chair_end.astimezone(NY).utcoffset()


def test_a_booster_is_one_infusion():
    plan = plan_series(rules(count=1), inputs())
    assert [len(option.infusions) for option in plan.options] == [1, 1, 1]


def test_six_chairs_over_eight_weeks_with_200_infusions_finds_the_free_chair():
    opening = hours(MONDAY, 56)
    chairs = tuple(range(1, 7))
    busy = {c: [] for c in chairs}
    # 5 of 6 chairs full all day on the first 40 open dates: 200 infusions, chair 6 free.
    for d in sorted(opening)[:40]:
        for c in chairs[:5]:
            busy[c].append((ny(d, "09:00"), ny(d, "17:00")))
    plan = plan_series(
        rules(count=6, window_days=56), inputs(days=opening, chair_ids=chairs, chair_busy=busy)
    )
    assert plan.ok
    assert {i.chair_id for i in plan.proposal.infusions} == {6}


def test_moving_one_infusion_rechecks_the_series_rules():
    r = rules(count=4)
    others = [ny(day(0), "09:00"), ny(day(4), "09:00")]
    assert move_problem(r, NY_NAME, others, ny(day(2), "10:00")) == ""
    assert "weekdays only" in move_problem(r, NY_NAME, others, ny(day(5), "10:00"))
    assert "too close" in move_problem(r, NY_NAME, others, ny(day(1), "10:00"))
    assert "same" not in move_problem(r, NY_NAME, others, ny(day(0), "15:00"))
    assert "Another infusion" in move_problem(r, NY_NAME, others, ny(day(0), "15:00"))
    assert "runs from Dec 7 to Dec 20" in move_problem(r, NY_NAME, others, ny(day(15), "10:00"))
