"""Who sees the outcome chart: clinicians on the staff patient page, the patient her own in
the portal; coordinators and clinic admins never see scores; nobody sees another's chart."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic.audit.models import AuditEvent
from consultations import chart_data, charts
from consultations import demo as course_demo
from consultations.models import CheckIn
from tests.conftest import make_user
from tests.words import says

pytestmark = pytest.mark.django_db


@pytest.fixture
def frank(provider):
    from clinic.accounts.roles import Role

    course_demo.seed_courses(
        now=timezone.now(),
        create_account=lambda *, email, first, last: make_user(email, Role.PATIENT, first, last),
    )
    from clinic.accounts.models import User

    return User.objects.get(email="frank@patient.example")


def test_demo_responder_chart_has_baseline_infusions_and_follow_ups(frank):
    chart = chart_data.patient_chart(frank)
    assert [p.measure.key for p in chart.panels] == ["peg", "phq9", "mme"]
    assert chart.infusion_count == 6
    labels = [row.label for row in chart.rows]
    assert labels[0] == "Intake"
    assert "Before infusion 1" in labels and "Infusion 6" in labels
    assert labels[-4:] == [
        "1-week check-in",
        "4-week check-in",
        "12-week check-in",
        "Monthly check-in",
    ]
    assert chart.rows[0].cells == ("7.0", "8", "60")  # the intake's PEG, PHQ-9 and MME
    assert chart.responder_line == 4.9


def test_staff_status_says_substantial_response_with_the_numbers(frank):
    chart = chart_data.patient_chart(frank)
    assert chart.status == (
        "Substantial response (≥50 % PEG reduction): PEG 3.3 against 7 at baseline (-52.9 %)."
    )
    assert chart.panels[0].description.startswith("Substantial response")


def test_fading_relief_is_said_even_when_the_latest_check_in_was_missed(provider, frank):
    from clinic.accounts.models import User

    grace = User.objects.get(email="grace@patient.example")
    status = chart_data.patient_chart(grace).status
    assert status.startswith("Response not known yet. The latest check-in has no PEG")
    assert "Best so far: Substantial response" in status
    assert "Relief fading" in status
    # The patient hears no verdict when her latest check-in is missing.
    assert chart_data.patient_chart(grace, audience=charts.PATIENT).status == ""


def test_patient_status_is_plain_words(frank):
    chart = chart_data.patient_chart(frank, audience=charts.PATIENT)
    assert chart.status == "Your latest pain score is 52.9% lower than when you started."


def test_chart_data_takes_a_fixed_number_of_queries(frank, django_assert_num_queries):
    with django_assert_num_queries(3):
        chart_data.readings_for(frank, now=timezone.now())


def test_an_unanswered_check_in_becomes_a_gap_only_a_week_after_it_was_due(frank):
    now = timezone.now()
    CheckIn.objects.filter(patient=frank, kind="monthly").update(
        completed_at=None, scores={}, due_at=now - dt.timedelta(days=3)
    )
    readings = chart_data.readings_for(frank, now=now).readings
    assert not any(r.missed for r in readings)  # still time to answer
    readings = chart_data.readings_for(frank, now=now + dt.timedelta(days=5)).readings
    assert [r.label for r in readings if r.missed] == ["Monthly check-in"]


def test_clinician_sees_the_chart_and_the_read_is_audited(client, login, clinician, frank):
    login(clinician)
    response = client.get(f"/staff/patients/{frank.pk}/")
    html = response.content.decode()
    assert 'role="img"' in html and "Outcomes over time" in html
    assert "Responder line" in html
    assert AuditEvent.objects.filter(actor=clinician, patient=frank, action="view").exists()


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_non_clinical_staff_never_see_scores(client, login, request, role, frank):
    login(request.getfixturevalue(role))
    html = client.get(f"/staff/patients/{frank.pk}/").content.decode()
    assert "Outcomes over time" not in html
    assert "outcome-chart" not in html
    assert not says(html, "PEG")


def test_patient_sees_her_own_chart_in_plain_words(client, frank):
    client.force_login(frank)
    html = client.get("/portal/").content.decode()
    assert "How you have been doing" in html
    assert "Your pain and how it affects your life" in html
    for jargon in ("PEG", "PHQ", "MME", "Responder", "baseline"):
        assert not says(html, jargon), jargon


def test_another_patient_sees_no_chart_of_hers(client, frank, other_patient):
    client.force_login(other_patient)
    html = client.get("/portal/").content.decode()
    assert "How you have been doing" not in html
    assert "outcome-chart" not in html


def test_an_intake_alone_shows_no_chart(approved_patient):
    assert chart_data.patient_chart(approved_patient) is None
    assert chart_data.patient_chart(approved_patient, audience=charts.PATIENT) is None
