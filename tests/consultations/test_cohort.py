"""The cohort summary: pure rows tested with literals, then the page (roles, queries, CSV)."""

import datetime as dt

import pytest

from consultations import cohort
from consultations.cohort import CheckInFacts, CourseFacts
from consultations.outcomes import Measures

NOW = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)
LAST = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)  # last infusion of every course below
LABELS = {"crps_1": "CRPS type I", "fibromyalgia": "Fibromyalgia", "sci": "Spinal cord injury"}


def _follow_ups(*pegs, mme=None):
    """Week 1, 4, 12 check-ins with these PEGs (None: missed)."""
    kinds = (("week_1", 7), ("week_4", 28), ("week_12", 84))
    return tuple(
        CheckInFacts(
            kind,
            LAST + dt.timedelta(days=days),
            completed=peg is not None,
            scores={} if peg is None else {"peg": peg, **({"mme": mme} if mme is not None else {})},
        )
        for (kind, days), peg in zip(kinds, pegs, strict=False)
    )


def _course(pk, diagnoses, baseline_peg, *pegs, baseline_mme=None, mme=None):
    return CourseFacts(
        pk,
        tuple(diagnoses),
        Measures(peg=baseline_peg, mme=baseline_mme),
        _follow_ups(*pegs, mme=mme),
    )


def test_responder_rate_is_over_courses_whose_latest_follow_up_has_a_peg():
    courses = [
        _course(1, ["crps_1"], 8.0, 6.0, 5.0, 4.0),  # 50 %: substantial
        _course(2, ["crps_1"], 10.0, 8.0, 8.0, 7.0),  # exactly 30 %: responder
        _course(3, ["crps_1"], 6.0, 5.0, 5.0, 5.0),  # 17 %: not a responder
        _course(4, ["crps_1"], 6.0, 2.0, 2.0, None),  # latest missed: not known, not better
    ]
    total = cohort.summarize(courses, now=NOW, diagnosis_labels=LABELS).total
    assert total.courses == 4
    assert total.evaluable == 3
    assert total.not_evaluable == 1
    assert total.responders == 2
    assert total.substantial == 1
    assert total.responder_rate == 66.7


def test_follow_up_completion_counts_only_follow_ups_already_due():
    courses = [_course(1, ["crps_1"], 8.0, 6.0, None, 4.0), _course(2, ["sci"], 8.0, 6.0)]
    early = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)  # week 1 due, week 4 not yet
    total = cohort.summarize(courses, now=early, diagnosis_labels=LABELS).total
    assert (total.follow_ups_due, total.follow_ups_done) == (2, 2)
    total = cohort.summarize(courses, now=NOW, diagnosis_labels=LABELS).total
    assert (total.follow_ups_due, total.follow_ups_done) == (4, 3)
    assert total.completion_rate == 75.0


def test_median_peg_and_mme_change():
    courses = [
        _course(1, ["crps_1"], 8.0, 4.0, baseline_mme=60, mme=30),
        _course(2, ["crps_1"], 6.0, 5.0, baseline_mme=90, mme=90),
        _course(3, ["crps_1"], 10.0, 7.0, baseline_mme=0, mme=0),
    ]
    total = cohort.summarize(courses, now=NOW, diagnosis_labels=LABELS).total
    assert total.median_peg_change == -3.0  # -4, -1, -3
    assert total.median_peg_percent == -30.0  # -50, -16.7, -30
    assert total.median_mme_change == 0.0  # -30, 0, 0


def test_rows_by_grade_use_the_strongest_grade_and_diagnoses_count_in_each():
    courses = [
        _course(1, ["fibromyalgia", "crps_1"], 8.0, 4.0),  # B wins over D
        _course(2, ["fibromyalgia"], 8.0, 7.0),
        _course(3, [], 8.0, 7.0),
    ]
    result = cohort.summarize(courses, now=NOW, diagnosis_labels=LABELS)
    assert [(r.key, r.courses) for r in result.by_grade] == [("B", 1), ("D", 1), ("", 1)]
    assert [(r.label, r.courses) for r in result.by_diagnosis] == [
        ("CRPS type I", 1),
        ("Fibromyalgia", 2),
    ]
    assert result.by_grade[-1].label == "No diagnosis recorded"


def test_no_follow_up_yet_gives_no_rates_rather_than_zero():
    course = CourseFacts(1, ("crps_1",), Measures(peg=7.0))
    total = cohort.summarize([course], now=NOW, diagnosis_labels=LABELS).total
    assert total.completion_rate is None
    assert total.responder_rate is None
    assert total.median_peg_change is None


def test_csv_rows_report_reductions_as_positive_numbers():
    courses = [_course(1, ["crps_1"], 8.0, 4.0, baseline_mme=60, mme=30)]
    rows = cohort.csv_rows(cohort.summarize(courses, now=NOW, diagnosis_labels=LABELS))
    assert rows[0][:2] == ["total:all", "All courses"]
    header = dict(zip(cohort.CSV_HEADER, rows[0], strict=True))
    assert header["median_peg_reduction_points"] == "4.0"
    assert header["median_peg_reduction_percent"] == "50.0"
    assert header["median_mme_reduction_mg_per_day"] == "30.0"
    assert header["responder_rate_percent"] == "100.0"
    assert [r[0] for r in rows] == ["total:all", "grade:B", "diagnosis:crps_1"]


def test_pre_infusion_check_ins_do_not_decide_the_response():
    pre = CheckInFacts("pre_infusion", LAST - dt.timedelta(days=3), True, {"peg": 1.0})
    course = CourseFacts(1, ("crps_1",), Measures(peg=8.0), (pre,))
    assert cohort.summarize([course], now=NOW, diagnosis_labels=LABELS).total.evaluable == 0


# ------------------------------------------------------------------------------- the page


def _seed_courses(count, *, first=0):
    """`count` series with a baseline intake and a 1-week check-in (rows, not journeys):
    odd ones CRPS responders (8 → 4), even ones fibromyalgia non-responders (8 → 7)."""
    from django.utils import timezone

    from clinic.accounts.roles import Role
    from consultations.models import CheckIn, Course
    from intake.models import Intake
    from tests.conftest import make_user

    now = timezone.now()
    for i in range(first, first + count):
        person = make_user(f"cohort{i}@example.com", Role.PATIENT, "Cohort", f"P{i}")
        Intake.objects.create(
            patient=person,
            status=Intake.Status.APPROVED,
            questionnaire_version="demo",
            scores={"PEG": {"value": 8.0, "complete": True}},
            mme_total=60,
            submitted_at=now - dt.timedelta(days=60),
            diagnosis_codes=",crps_1," if i % 2 else ",fibromyalgia,",
        )
        course = Course.objects.create(patient=person, planned_count=6)
        CheckIn.objects.create(
            patient=person,
            course=course,
            kind="week_1",
            due_at=now - dt.timedelta(days=10),
            completed_at=now - dt.timedelta(days=9),
            scores={"peg": 4.0 if i % 2 else 7.0, "mme": 30},
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("clinician", 200), ("coordinator", 403), ("clinic_admin", 403), ("patient", 403)],
)
def test_only_clinicians_open_the_cohort_page_and_its_export(client, login, request, role, status):
    login(request.getfixturevalue(role))
    assert client.get("/schedule/outcomes/").status_code == status
    assert client.get("/schedule/outcomes/export.csv").status_code == status


@pytest.mark.django_db
def test_cohort_page_shows_rates_by_grade_and_diagnosis(client, login, clinician):
    _seed_courses(4)
    login(clinician)
    html = client.get("/schedule/outcomes/").content.decode()
    assert 'data-testid="total-courses">4<' in html
    assert 'data-testid="total-responders">50.0 %<' in html
    assert 'data-group="B"' in html and 'data-group="D"' in html
    assert "Fibromyalgia" in html


@pytest.mark.django_db
def test_cohort_query_count_does_not_grow_with_the_courses(client, login, clinician):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(clinician)
    _seed_courses(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/schedule/outcomes/").status_code == 200
    _seed_courses(48, first=2)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/schedule/outcomes/").content.decode()
    assert 'data-testid="total-courses">50<' in html
    assert _page_queries(many) == _page_queries(few)


def _page_queries(captured) -> int:
    """The page's own queries: the idle-session middleware may also refresh the session
    when the seeding took long enough (a clock-driven write, not one per course)."""
    return sum(
        1
        for q in captured.captured_queries
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    )


@pytest.mark.django_db
def test_cohort_export_is_a_csv_of_numbers_and_is_audited(client, login, clinician):
    from clinic.audit.models import AuditEvent

    _seed_courses(2)
    login(clinician)
    response = client.get("/schedule/outcomes/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == cohort.CSV_HEADER
    assert lines[1].startswith("total:all,All courses,2,2,2,100.0,2,1,1,50.0,")
    assert "cohort0@example.com" not in response.content.decode()  # no patient in it
    event = AuditEvent.objects.get(actor=clinician, action="export")
    assert event.detail["count"] == 2
    assert event.detail["report"] == "cohort"
