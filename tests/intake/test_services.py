"""Intake services: one open intake, saving steps, alerts, consent and submission."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from intake import services, settings_services
from intake.demo import BASE, FIBROMYALGIA, NO_OPIOIDS_METRIC, answers_for_steps, seed_intake
from intake.models import ConsentText, Intake, UrgentAlert
from intake.questionnaire import QUESTIONNAIRE_VERSION, SECTIONS
from tests.conftest import lost_race

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(patient):
    return services.start_intake(patient=patient)


@pytest.fixture
def consent_text(clinic_admin):
    return settings_services.publish_consent_text(
        title="Consent", body="Read me.", author=clinic_admin
    )


def _save(intake, step, answers, *, complete=True, raw=None):
    return services.save_step(
        intake=intake, step=step, raw=raw or {}, valid_answers=answers, complete=complete
    )


def _answered_until_consent(intake):
    """Every step saved from BASE, the consent step saved but not yet signed."""
    for section in SECTIONS:
        intake = _save(intake, section.key, answers_for_steps(BASE, (section.key,)))
    return intake


# ------------------------------------------------------------------------ start_intake


def test_start_intake_creates_an_in_progress_intake_with_the_questionnaire_version(patient):
    intake = services.start_intake(patient=patient)
    assert intake.status == Intake.Status.IN_PROGRESS
    assert intake.questionnaire_version == QUESTIONNAIRE_VERSION
    assert intake.current_step == "about"


def test_start_intake_returns_the_open_intake_instead_of_creating_another(patient):
    first = services.start_intake(patient=patient)
    assert services.start_intake(patient=patient) == first
    assert Intake.objects.filter(patient=patient).count() == 1


def test_start_intake_returns_a_submitted_intake_while_it_is_under_review(patient, intake):
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED)
    assert services.start_intake(patient=patient) == intake
    assert Intake.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize("closed", [Intake.Status.DECLINED, Intake.Status.REFERRED])
def test_start_intake_starts_afresh_after_a_closed_intake(patient, intake, closed):
    Intake.objects.filter(pk=intake.pk).update(status=closed)
    new = services.start_intake(patient=patient)
    assert new != intake
    assert new.status == Intake.Status.IN_PROGRESS
    # Afresh: only the legal name from sign-up, prefilled.
    assert new.answers == {"legal_first_name": "Alice", "legal_last_name": "Anderson"}


def test_start_intake_that_loses_a_race_returns_the_intake_the_other_request_created(patient):
    # The existence check misses the intake (another tab created it a moment later): the
    # database constraint refuses the second one and the service returns the first.
    def other_tab():
        return Intake.objects.create(patient=patient, questionnaire_version=QUESTIONNAIRE_VERSION)

    with lost_race(Intake, other_tab) as race:
        again = services.start_intake(patient=patient)
    assert race["inserts"] == 2
    assert again == race["row"]
    assert Intake.objects.filter(patient=patient).count() == 1


def test_database_refuses_a_second_open_intake_for_the_same_patient(patient, intake):
    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.create(patient=patient, questionnaire_version=QUESTIONNAIRE_VERSION)


def test_two_patients_each_have_their_own_open_intake(patient, other_patient, intake):
    other = services.start_intake(patient=other_patient)
    assert other != intake
    assert other.patient == other_patient


# --------------------------------------------------------------------------- save_step


def test_save_step_merges_answers_and_records_the_step(intake):
    intake = _save(intake, "about", {"legal_first_name": "Alice"})
    intake = _save(intake, "pain", {"peg_pain": 7})
    intake.refresh_from_db()
    assert intake.answers == {
        "legal_first_name": "Alice",
        "legal_last_name": "Anderson",  # prefilled from sign-up
        "peg_pain": 7,
    }
    assert intake.visited_steps == ["about", "pain"]
    assert intake.current_step == "pain"


def test_save_step_visiting_a_step_again_does_not_repeat_it(intake):
    for _ in range(3):
        intake = _save(intake, "about", {})
    assert intake.visited_steps == ["about"]


def test_incomplete_save_keeps_what_was_typed_and_a_complete_one_clears_it(intake):
    raw = {"weight_lb": ["2000"], "city": ["Springfield"]}
    intake = _save(intake, "about", {"city": "Springfield"}, complete=False, raw=raw)
    intake.refresh_from_db()
    assert intake.drafts == {"about": raw}
    assert intake.answers["city"] == "Springfield"

    intake = _save(intake, "pain", {}, complete=False, raw={"peg_pain": ["11"]})
    intake = _save(intake, "about", {"weight_lb": 150.0})
    intake.refresh_from_db()
    assert intake.drafts == {"pain": {"peg_pain": ["11"]}}


def test_save_step_stores_us_height_and_weight_in_metric(intake):
    intake = _save(
        intake,
        "about",
        {"measurement_system": "us", "height_ft": 5, "height_in": 6, "weight_lb": 150.0},
    )
    intake.refresh_from_db()
    assert intake.height_cm == Decimal("167.6")
    assert intake.weight_kg == Decimal("68.0")


def test_save_step_switching_to_metric_uses_the_metric_answers(intake):
    _save(intake, "about", {"measurement_system": "us", "height_ft": 5, "height_in": 6})
    intake = _save(
        intake, "about", {"measurement_system": "metric", "height_cm": 170, "weight_kg": 70.25}
    )
    intake.refresh_from_db()
    assert intake.height_cm == Decimal("170.0")
    assert intake.weight_kg == Decimal("70.3")


def test_save_step_is_refused_once_the_intake_is_submitted(intake):
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED)
    with pytest.raises(services.IntakeNotEditable):
        _save(intake, "about", {"legal_first_name": "Mallory"})
    intake.refresh_from_db()
    assert intake.answers.get("legal_first_name") != "Mallory"


def test_move_to_step_remembers_the_step_once(intake):
    services.move_to_step(intake=intake, step="health")
    services.move_to_step(intake=intake, step="health")
    services.move_to_step(intake=intake, step="about")
    intake.refresh_from_db()
    assert intake.current_step == "about"
    assert intake.visited_steps == ["health", "about"]


# ------------------------------------------------------------------ PHQ-9 item 9 alerts


def test_phq9_item9_above_zero_raises_one_urgent_alert_at_once(intake):
    intake = _save(intake, "mood", {"phq9_9": "1"}, complete=False)
    assert intake.phq9_item9_positive
    _save(intake, "mood", {"phq9_9": "3"})
    alerts = UrgentAlert.objects.filter(intake=intake)
    assert alerts.count() == 1
    assert alerts.get().kind == UrgentAlert.Kind.PHQ9_ITEM9


def test_phq9_item9_of_zero_raises_no_alert(intake):
    intake = _save(intake, "mood", {"phq9_9": "0"})
    assert not intake.phq9_item9_positive
    assert not UrgentAlert.objects.exists()


def test_changing_item9_back_to_zero_keeps_the_alert_for_staff(intake):
    intake = _save(intake, "mood", {"phq9_9": "2"})
    intake = _save(intake, "mood", {"phq9_9": "0"})
    assert not intake.phq9_item9_positive
    assert UrgentAlert.objects.filter(intake=intake, acknowledged_at__isnull=True).count() == 1


def test_raise_urgent_alert_is_idempotent_until_acknowledged(intake, clinician):
    first = services.raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    assert services.raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9) == first
    UrgentAlert.objects.filter(pk=first.pk).update(
        acknowledged_at="2026-01-01T00:00:00Z", acknowledged_by=clinician
    )
    second = services.raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    assert second != first
    assert UrgentAlert.objects.filter(intake=intake).count() == 2


def test_raise_urgent_alert_that_loses_a_race_returns_the_open_alert(intake):
    def other_save():
        return UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)

    with lost_race(UrgentAlert, other_save) as race:
        again = services.raise_urgent_alert(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    assert race["inserts"] == 2
    assert again == race["row"]


def test_database_refuses_a_second_open_alert_of_the_same_kind(intake):
    UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)
    with pytest.raises(IntegrityError), transaction.atomic():
        UrgentAlert.objects.create(intake=intake, kind=UrgentAlert.Kind.PHQ9_ITEM9)


# ------------------------------------------------------------------------------ consent


def test_sign_consent_records_version_name_time_ip_and_user_agent(intake, consent_text):
    intake = _save(intake, "consent", {"consent_signature": "Alice Anderson"})
    services.sign_consent(intake=intake, ip="203.0.113.7", user_agent="Mozilla/5.0")
    intake.refresh_from_db()
    assert intake.consent_text == consent_text
    assert intake.consent_signed_name == "Alice Anderson"
    assert intake.consent_signed_at is not None
    assert intake.consent_ip == "203.0.113.7"
    assert intake.consent_user_agent == "Mozilla/5.0"


def test_sign_consent_cuts_an_overlong_user_agent_and_accepts_none(intake, consent_text):
    services.sign_consent(intake=intake, ip=None, user_agent="x" * 1000)
    intake.refresh_from_db()
    assert len(intake.consent_user_agent) == 400
    assert intake.consent_ip is None


def test_intake_keeps_the_consent_version_it_signed_after_a_new_one(
    intake, consent_text, clinic_admin
):
    services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
    newer = settings_services.publish_consent_text(
        title="Consent", body="New words", author=clinic_admin
    )
    intake.refresh_from_db()
    assert newer.version == consent_text.version + 1
    assert ConsentText.current() == newer
    assert intake.consent_text == consent_text


# ---------------------------------------------------------------------- missing answers


def test_nothing_answered_is_missing_every_step(intake):
    missing = services.missing_for_submit(intake)
    assert {section.key for section, _ in missing} == {s.key for s in SECTIONS} - {"diagnoses"}


def test_complete_answers_without_a_signature_are_missing_only_the_consent(intake):
    intake = _answered_until_consent(intake)
    assert [q.key for _, q in services.missing_for_submit(intake)] == ["consent_signature"]


def test_complete_signed_intake_is_missing_nothing(intake, consent_text):
    intake = _answered_until_consent(intake)
    services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
    intake.refresh_from_db()
    assert services.missing_for_submit(intake) == []


# ------------------------------------------------------------------------------- submit


def test_submit_is_refused_while_the_email_is_unverified(patient, intake, consent_text):
    patient.email_verified_at = None
    patient.save()
    intake = _answered_until_consent(intake)
    services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
    with pytest.raises(services.EmailNotVerified):
        services.submit_intake(intake=intake)
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_submit_is_refused_with_the_missing_answers(intake):
    _save(intake, "about", answers_for_steps(BASE, ("about",)))
    with pytest.raises(services.IntakeIncomplete) as refused:
        services.submit_intake(intake=intake)
    keys = [q.key for _, q in refused.value.missing]
    assert "main_complaint" in keys
    assert "legal_first_name" not in keys
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS
    assert intake.submitted_at is None


def test_submit_freezes_a_complete_intake_with_scores_and_mme(intake, consent_text):
    intake = _answered_until_consent(intake)
    _save(intake, "pain", {}, complete=False, raw={"pain_helps": ["typing..."]})
    services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
    intake.refresh_from_db()

    submitted = services.submit_intake(intake=intake)
    submitted.refresh_from_db()
    assert submitted.status == Intake.Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.questionnaire_version == QUESTIONNAIRE_VERSION
    assert submitted.mme_total == Decimal("60.0")
    assert submitted.scores["PEG"]["value"] == pytest.approx(7.0)
    assert submitted.scores["PHQ9"]["value"] == 8
    assert submitted.scores["GAD7"]["value"] == 7
    assert submitted.drafts == {}
    assert submitted.current_step == "review"
    assert not submitted.is_editable_by_patient


def test_submit_twice_is_refused(intake, consent_text):
    intake = _answered_until_consent(intake)
    services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
    intake.refresh_from_db()
    services.submit_intake(intake=intake)
    with pytest.raises(services.IntakeNotEditable):
        services.submit_intake(intake=intake)


def test_score_snapshot_ignores_answers_hidden_behind_a_changed_gate():
    answers = {**BASE, "takes_opioids": "no"}  # the oxycodone row is still stored
    scores, mme = services.score_snapshot(answers)
    assert mme.total == 0
    assert services.score_snapshot(BASE)[1].total == 60
    assert scores["PEG"]["value"] == pytest.approx(7.0)


# ------------------------------------------------------------------------------- demo


@pytest.mark.parametrize(
    ("answers", "mme", "height", "weight"),
    [
        (BASE, Decimal("60.0"), Decimal("167.6"), Decimal("68.0")),
        (FIBROMYALGIA, Decimal("0.0"), Decimal("167.6"), Decimal("68.0")),
        (NO_OPIOIDS_METRIC, Decimal("0.0"), Decimal("180.0"), Decimal("82.5")),
    ],
    ids=["base", "fibromyalgia", "no_opioids_metric"],
)
def test_demo_intakes_walk_the_services_and_submit(
    patient, consent_text, answers, mme, height, weight
):
    intake = seed_intake(patient=patient, answers=answers, submit=True)
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.mme_total == mme
    assert (intake.height_cm, intake.weight_kg) == (height, weight)
    assert intake.consent_signed_name == answers["consent_signature"]
    has_alert = UrgentAlert.objects.filter(intake=intake).exists()
    assert has_alert == (answers["phq9_9"] != "0")


def test_a_save_writes_what_changed_and_the_time(intake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def written(**answers):
        with CaptureQueriesContext(connection) as queries:
            _save(intake, "pain", answers)
        (update,) = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert '"updated_at" =' in update  # a save is the patient's activity, always
        return {name for name in services._STEP_FIELDS if f'"{name}" =' in update}

    assert written(main_complaint="Back") == {"answers", "visited_steps", "current_step"}
    assert written(main_complaint="Back") == set()  # only updated_at: the same save again
    assert written(main_complaint="Knee") == {"answers"}
    intake.refresh_from_db()
    assert intake.answers["main_complaint"] == "Knee"
    assert intake.visited_steps == ["pain"]
