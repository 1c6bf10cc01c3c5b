"""The patient's intake pages: access, saving, drafts, errors, formsets, submit, safety."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import services, settings_services
from intake.demo import BASE, NO_OPIOIDS_METRIC, answers_for_steps, seed_intake
from intake.models import ConsentText, Intake, UrgentAlert
from intake.questionnaire import QUESTIONNAIRE_VERSION, SECTIONS
from tests.conftest import PASSWORD
from tests.intake.helpers import autosave_url, post_data, step_url

pytestmark = pytest.mark.django_db

STEP_KEYS = [s.key for s in SECTIONS]
OXYCODONE_10_X4 = {"drug": "oxycodone", "strength": 10, "doses_per_day": 4}


@pytest.fixture
def intake(patient):
    return services.start_intake(patient=patient)


@pytest.fixture
def alice(login, patient, intake):
    """Alice, logged in, with an intake in progress."""
    return login(patient)


@pytest.fixture
def consent_text(clinic_admin):
    return settings_services.publish_consent_text(
        title="Consent", body="Read me.", author=clinic_admin
    )


def _seed(intake, answers, through: str):
    """Save every step up to and including `through` as a patient would (valid saves)."""
    for section in SECTIONS:
        step_answers = answers_for_steps(answers, (section.key,))
        intake = services.save_step(
            intake=intake, step=section.key, raw={}, valid_answers=step_answers, complete=True
        )
        if section.key == "consent":
            services.sign_consent(intake=intake, ip="127.0.0.1", user_agent="test")
        if section.key == through:
            break
    intake.refresh_from_db()
    return intake


def _error_summary(response) -> str:
    match = re.search(r'<div[^>]*id="error-summary".*?</div>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _summary_anchors(response) -> list[str]:
    return re.findall(r'href="#([^"]+)"', _error_summary(response))


# ---------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("key", STEP_KEYS)
def test_owner_can_open_every_step(alice, key):
    response = alice.get(step_url(key))
    assert response.status_code == 200
    assert response.context["step"].key == key
    assert b'id="intake-form"' in response.content


def test_owner_can_open_the_review_page_and_portal(alice):
    assert alice.get(reverse("intake:review")).status_code == 200
    assert alice.get(reverse("intake:portal")).status_code == 200


def _patient_urls(intake):
    return [
        *(step_url(k) for k in STEP_KEYS),
        reverse("intake:review"),
        reverse("intake:support"),
        reverse("intake:resume"),
        reverse("intake:portal"),
        reverse("intake:detail", args=[intake.pk]),
    ]


def test_anonymous_visitor_is_sent_to_login_from_every_intake_page(client, intake):
    login_url = reverse("accounts:login")
    for url in [*_patient_urls(intake), autosave_url("about")]:
        response = client.post(url) if "autosave" in url else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login_url), url


@pytest.mark.parametrize("role", ["clinician", "coordinator", "clinic_admin"])
def test_staff_cannot_use_the_patient_intake_pages(login, people, intake, role):
    client = login(people[role])
    for url in _patient_urls(intake):
        assert client.get(url).status_code == 403, url
    assert client.post(step_url("about"), post_data("about", BASE)).status_code == 403
    assert client.post(autosave_url("about"), {"legal_first_name": "X"}).status_code == 403
    intake.refresh_from_db()
    # Only the legal name prefilled from Alice's sign-up: nothing staff typed.
    assert set(intake.answers) <= {"legal_first_name", "legal_last_name"}
    assert intake.answers.get("legal_first_name") != "X"


def test_other_patient_cannot_see_alice_intake_detail(login, other_patient, intake):
    _seed(intake, BASE, through="about")
    charlie = login(other_patient)
    assert charlie.get(reverse("intake:detail", args=[intake.pk])).status_code == 404


def test_other_patient_without_an_intake_lands_on_their_portal_and_gets_409_on_autosave(
    login, other_patient, intake
):
    charlie = login(other_patient)
    for key in STEP_KEYS:
        assert charlie.get(step_url(key)).url == reverse("intake:portal")
    assert charlie.get(reverse("intake:review")).url == reverse("intake:portal")
    response = charlie.post(autosave_url("about"), {"legal_first_name": "Mallory"})
    assert response.status_code == 409
    intake.refresh_from_db()
    assert intake.answers.get("legal_first_name") != "Mallory"


def test_other_patient_only_ever_sees_and_changes_their_own_intake(login, other_patient, intake):
    _seed(intake, BASE, through="about")
    charlie_intake = services.start_intake(patient=other_patient)
    charlie = login(other_patient)

    page = charlie.get(step_url("about")).content.decode()
    assert "12 Elm Street" not in page
    assert "Anderson" not in page

    charlie.post(step_url("about"), post_data("about", {**BASE, "legal_first_name": "Charlie"}))
    intake.refresh_from_db()
    charlie_intake.refresh_from_db()
    assert intake.answers["legal_first_name"] == "Alice"
    assert charlie_intake.answers["legal_first_name"] == "Charlie"


def test_unknown_step_is_404(alice):
    assert alice.get(step_url("nonsense")).status_code == 404
    assert alice.get(step_url("review")).status_code == 404  # review has its own page
    assert alice.post(autosave_url("nonsense"), {}).status_code == 404


def test_autosave_accepts_only_post(alice):
    assert alice.get(autosave_url("about")).status_code == 405


# ----------------------------------------------------------------- save and continue


def test_walking_every_step_with_valid_answers_reaches_review_and_stores_answers(
    alice, intake, consent_text
):
    for i, key in enumerate(STEP_KEYS):
        response = alice.post(step_url(key), post_data(key, BASE))
        expected = step_url(STEP_KEYS[i + 1]) if i + 1 < len(STEP_KEYS) else None
        assert response.status_code == 302, (key, _error_summary(response))
        assert response.url == (expected or reverse("intake:review"))
    intake.refresh_from_db()
    assert intake.drafts == {}
    assert intake.visited_steps == STEP_KEYS
    assert services.missing_for_submit(intake) == []
    for key in (
        "legal_first_name",
        "date_of_birth",
        "pain_regions",
        "peg_pain",
        "diagnoses",
        "tx_nsaids",
        "drug_use_past_year",
        "health_conditions",
        "ort_personal",
        "phq9_1",
        "goals",
        "consent_privacy",
    ):
        assert intake.answers[key] == BASE[key], key
    assert intake.answers["opioids"][0]["drug"] == "oxycodone"
    assert intake.answers["other_medications"][0]["name"] == "Lorazepam"


def test_save_and_continue_moves_to_next_step_and_stores_answers(alice, intake):
    response = alice.post(step_url("about"), post_data("about", BASE))
    assert response.status_code == 302
    assert response.url == step_url("pain")
    intake.refresh_from_db()
    assert intake.answers["legal_last_name"] == "Anderson"
    assert intake.answers["sex_at_birth"] == "female"
    assert intake.current_step == "about"
    assert "about" not in intake.drafts


def test_opening_a_step_remembers_it_as_the_current_step(alice, intake):
    alice.get(step_url("health"))
    intake.refresh_from_db()
    assert intake.current_step == "health"
    assert "health" in intake.visited_steps


def test_saved_answers_are_shown_when_the_step_is_opened_again(alice, intake):
    _seed(intake, BASE, through="about")
    page = alice.get(step_url("about")).content.decode()
    assert 'value="12 Elm Street"' in page
    assert 'value="+12025550143"' in page


# ----------------------------------------------------------------------- invalid input


def test_invalid_step_rerenders_with_summary_field_message_typed_value_and_draft(alice, intake):
    data = post_data("about", {**BASE, "legal_first_name": "Alicia", "weight_lb": "2000"})
    response = alice.post(step_url("about"), data)

    assert response.status_code == 200
    summary = _error_summary(response)
    assert "Please check this answer" in summary
    assert 'href="#id_weight_lb"' in summary
    page = response.content.decode()
    next_to_field = re.search(r'id="id_weight_lb_error".*?</div>', page, re.S).group(0)
    assert "Enter a number from 60 to 700 lb" in next_to_field
    assert 'value="2000"' in page

    intake.refresh_from_db()
    assert intake.answers["legal_first_name"] == "Alicia"  # valid fields of the step are kept
    assert intake.answers["city"] == "Springfield"
    assert intake.drafts["about"]["weight_lb"] == ["2000"]
    assert intake.drafts["about"]["legal_first_name"] == ["Alicia"]


def test_reopening_a_step_after_an_invalid_save_shows_what_was_typed(alice, intake):
    data = post_data("about", {**BASE, "weight_lb": "2000", "postal_code": "22151"})
    alice.post(step_url("about"), data)

    response = alice.get(step_url("about"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="2000"' in page
    assert 'value="22151"' in page
    assert "Enter a number from 60 to 700 lb" in _error_summary(response)


def test_reopening_a_partly_filled_step_does_not_nag_about_unanswered_questions(alice, intake):
    alice.post(autosave_url("about"), {"legal_first_name": "Alice"})
    response = alice.get(step_url("about"))
    assert 'value="Alice"' in response.content.decode()
    assert _error_summary(response) == ""


def test_correcting_an_invalid_step_clears_its_draft(alice, intake):
    alice.post(step_url("about"), post_data("about", {**BASE, "weight_lb": "2000"}))
    response = alice.post(step_url("about"), post_data("about", BASE))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert "about" not in intake.drafts
    assert intake.answers["weight_lb"] == 150.0


@pytest.mark.parametrize(
    ("step", "change", "message"),
    [
        ("about", {"weight_lb": "0"}, "Enter a number from 60 to 700 lb"),
        ("about", {"weight_lb": "2000"}, "Enter a number from 60 to 700 lb"),
        ("about", {"weight_lb": "heavy"}, "Enter a number from 60 to 700 lb"),
        ("about", {"height_in": "12"}, "Enter a number from 0 to 11 in"),
        ("about", {"date_of_birth": "2999-01-01"}, "This date is in the future"),
        ("about", {"date_of_birth": "31/31/1980"}, "Enter a real date"),
        ("about", {"mobile_phone": "12345"}, "Enter a valid phone number"),
        ("about", {"state": "Atlantis"}, "Please answer this question."),
        ("pain", {"peg_pain": "11"}, "Choose a number from 0 to 10."),
        ("pain", {"pain_worst": "-1"}, "Choose a number from 0 to 10."),
        ("pain", {"pain_started": "2999-01"}, "This month is in the future"),
        ("pain", {"pain_started": "June"}, "Enter a month and year"),
        ("pain", {"pain_regions": ["elbow"]}, "Choose from the list."),
        (
            "health",
            {"high_blood_pressure": "yes", "last_bp_date": "2999-01-01"},
            "This date is in the future",
        ),
        (
            "health",
            {"high_blood_pressure": "yes", "last_bp_systolic": "999"},
            "Enter a number from 60 to 260 mmHg",
        ),
    ],
)
def test_impossible_values_are_refused_with_a_reason(alice, intake, step, change, message):
    response = alice.post(step_url(step), post_data(step, {**BASE, **change}))
    assert response.status_code == 200
    summary = _error_summary(response)
    assert message in summary
    # The message also sits next to the field, not only in the summary.
    assert response.content.decode().count(message) >= 2


def test_every_link_in_the_error_summary_points_at_an_element_on_the_page(alice, intake):
    change = {"sex_at_birth": None, "pain_regions": [], "weight_lb": "2000", "state": ""}
    for step in ("about", "pain"):
        response = alice.post(step_url(step), post_data(step, {**BASE, **change}))
        anchors = _summary_anchors(response)
        assert anchors, step
        for anchor in anchors:
            assert f'id="{anchor}"' in response.content.decode(), anchor


def test_refusing_an_edit_of_a_saved_answer_does_not_leave_the_old_answer_to_be_submitted(
    alice, intake, consent_text
):
    intake = _seed(intake, BASE, through="consent")
    alice.post(step_url("about"), post_data("about", {**BASE, "weight_lb": "2000"}))

    intake.refresh_from_db()
    assert intake.drafts["about"]["weight_lb"] == ["2000"]  # what was typed is kept
    missing = [q.key for _, q in services.missing_for_submit(intake)]
    assert missing == ["weight_lb"]
    alice.post(reverse("intake:review"))
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_unticking_a_consent_box_blocks_submit(alice, intake, consent_text):
    intake = _seed(intake, BASE, through="consent")
    alice.post(step_url("consent"), post_data("consent", {**BASE, "consent_privacy": False}))
    intake.refresh_from_db()
    assert [q.key for _, q in services.missing_for_submit(intake)] == ["consent_privacy"]
    alice.post(reverse("intake:review"))
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_an_invalid_opioid_row_blocks_submit_instead_of_being_dropped(alice, intake, consent_text):
    intake = _seed(intake, BASE, through="consent")
    rows = [OXYCODONE_10_X4, {"drug": "methadone", "strength": 10}]  # doses per day missing
    alice.post(step_url("opioids"), post_data("opioids", {**BASE, "opioids": rows}))
    intake.refresh_from_db()
    assert intake.drafts["opioids"]["opioids-1-drug"] == ["methadone"]
    assert [q.key for _, q in services.missing_for_submit(intake)] == ["opioids"]


def test_nul_characters_are_dropped_from_the_stored_draft(alice, intake):
    alice.post(autosave_url("about"), {"city": "Spring\x00field", "weight_lb": "1\x002"})
    intake.refresh_from_db()
    assert intake.drafts["about"]["city"] == ["Springfield"]
    assert intake.drafts["about"]["weight_lb"] == ["12"]


def test_a_submit_from_another_tab_mid_save_lands_on_the_portal_or_409_not_an_error(alice, intake):
    # The save finds the row submitted meanwhile (services._editable: on its read, or on the
    # locked read after its write found the row changed since).
    with mock.patch.object(services, "_editable", side_effect=services.IntakeNotEditable):
        response = alice.post(step_url("about"), post_data("about", BASE))
        assert response.url == reverse("intake:portal")
        response = alice.post(autosave_url("about"), post_data("about", BASE))
    assert response.status_code == 409
    assert response.json()["saved"] is False


# ------------------------------------------------------------------------------- back


def test_back_saves_without_validation_and_goes_to_previous_step(alice, intake):
    data = post_data("pain", {"main_complaint": "Burning foot", "peg_pain": "11"}, action="back")
    response = alice.post(step_url("pain"), data)
    assert response.status_code == 302
    assert response.url == step_url("about")
    intake.refresh_from_db()
    assert intake.answers["main_complaint"] == "Burning foot"
    assert intake.drafts["pain"]["peg_pain"] == ["11"]


def test_back_from_a_complete_step_keeps_its_answers_and_clears_its_draft(alice, intake):
    response = alice.post(step_url("pain"), post_data("pain", BASE, action="back"))
    assert response.url == step_url("about")
    intake.refresh_from_db()
    assert intake.answers["peg_activity"] == 6
    assert "pain" not in intake.drafts


# ---------------------------------------------------------------------------- autosave


def test_autosave_stores_partial_answers_and_the_draft_and_answers_json(alice, intake):
    response = alice.post(autosave_url("about"), {"legal_first_name": "Alice", "weight_lb": "2000"})
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["saved_at"]
    intake.refresh_from_db()
    assert intake.answers["legal_first_name"] == "Alice"
    assert "weight_lb" not in intake.answers or intake.answers["weight_lb"] is None
    assert intake.drafts["about"] == {"legal_first_name": ["Alice"], "weight_lb": ["2000"]}


def test_autosave_of_a_complete_step_clears_the_draft(alice, intake):
    alice.post(autosave_url("about"), {"legal_first_name": "Alice"})
    alice.post(autosave_url("about"), post_data("about", BASE))
    intake.refresh_from_db()
    assert "about" not in intake.drafts
    assert intake.answers["postal_code"] == "22150"


def test_autosave_is_refused_after_submit(alice, patient, consent_text):
    intake = seed_intake(patient=patient, answers=BASE, submit=True)
    response = alice.post(autosave_url("about"), {"legal_first_name": "Changed"})
    assert response.status_code == 409
    assert response.json()["saved"] is False
    intake.refresh_from_db()
    assert intake.answers["legal_first_name"] == "Alice"


# --------------------------------------------------------------------- login and resume


def test_login_takes_a_patient_back_to_the_step_they_were_on_with_what_they_typed(
    client, patient, intake
):
    client.force_login(patient, backend="django.contrib.auth.backends.ModelBackend")
    client.post(step_url("about"), post_data("about", BASE))
    client.post(autosave_url("pain"), {"main_complaint": "Foot", "peg_pain": "12"})
    client.post(reverse("accounts:logout"))

    response = client.post(
        reverse("accounts:login"), {"username": patient.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == step_url("pain")
    page = response.content.decode()
    assert "Foot" in page
    assert "Choose a number from 0 to 10." in page


def test_resume_goes_to_review_when_that_is_where_the_patient_was(alice, intake):
    alice.get(reverse("intake:review"))
    response = alice.get(reverse("intake:resume"))
    assert response.url == reverse("intake:review")


def test_resume_without_an_intake_goes_to_the_portal(login, patient):
    response = login(patient).get(reverse("intake:resume"))
    assert response.url == reverse("intake:portal")


def test_start_creates_one_intake_and_pressing_it_again_does_not_create_another(login, patient):
    client = login(patient)
    client.post(reverse("intake:start"))
    response = client.post(reverse("intake:start"))
    assert response.url == reverse("intake:resume")
    assert Intake.objects.filter(patient=patient).count() == 1


# ---------------------------------------------------------------------- about: checks


def _eighteenth_birthday_today() -> dt.date:
    """The birth date of someone who turns 18 today (born 28 Feb when today is 29 Feb)."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - 18)
    except ValueError:
        return today.replace(year=today.year - 18, day=28)


def test_date_of_birth_under_18_is_refused_with_a_clear_message(alice, intake):
    seventeen = _eighteenth_birthday_today() + dt.timedelta(days=1)
    response = alice.post(
        step_url("about"), post_data("about", {**BASE, "date_of_birth": seventeen.isoformat()})
    )
    assert response.status_code == 200
    assert "you must be 18 or older" in _error_summary(response)
    intake.refresh_from_db()
    assert not intake.answers.get("date_of_birth")


def test_date_of_birth_on_the_18th_birthday_is_accepted(alice, intake):
    eighteen = _eighteenth_birthday_today()
    response = alice.post(
        step_url("about"), post_data("about", {**BASE, "date_of_birth": eighteen.isoformat()})
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.answers["date_of_birth"] == eighteen.isoformat()


@pytest.mark.parametrize("typed", ["(202) 555-0143", "202-555-0143", "+1 202 555 0143"])
def test_phone_numbers_are_stored_in_e164(alice, intake, typed):
    alice.post(step_url("about"), post_data("about", {**BASE, "mobile_phone": typed}))
    intake.refresh_from_db()
    assert intake.answers["mobile_phone"] == "+12025550143"


def test_us_height_and_weight_are_stored_metric(alice, intake):
    data = post_data("about", {**BASE, "height_ft": 5, "height_in": 6, "weight_lb": 150})
    alice.post(step_url("about"), data)
    intake.refresh_from_db()
    assert intake.height_cm == Decimal("167.6")
    assert intake.weight_kg == Decimal("68.0")


def test_metric_height_and_weight_are_stored_as_typed(alice, intake):
    alice.post(step_url("about"), post_data("about", NO_OPIOIDS_METRIC))
    intake.refresh_from_db()
    assert intake.height_cm == Decimal("180.0")
    assert intake.weight_kg == Decimal("82.5")


def test_hidden_questions_never_block_saving(alice, intake):
    # Metric chosen: the US height and weight are hidden, so nonsense in them is ignored.
    data = post_data("about", {**NO_OPIOIDS_METRIC, "reminder_channel": "email"})
    data.update({"weight_lb": "heavy", "height_ft": "99", "sms_consent": "maybe"})
    response = alice.post(step_url("about"), data)
    assert response.status_code == 302, _error_summary(response)
    intake.refresh_from_db()
    assert "weight_lb" not in intake.answers
    assert "sms_consent" not in intake.answers


def test_hidden_required_question_left_blank_does_not_block_saving(alice, intake):
    answers = {k: v for k, v in BASE.items() if k not in ("height_ft", "height_in", "weight_lb")}
    data = post_data(
        "about", {**answers, "measurement_system": "metric", "height_cm": 170, "weight_kg": 70}
    )
    assert alice.post(step_url("about"), data).status_code == 302


# ----------------------------------------------------------------------------- opioids


def _opioid_answers(*rows):
    return {**BASE, "opioids": list(rows)}


def test_oxycodone_row_is_stored_and_review_shows_60_mme(alice, intake):
    response = alice.post(
        step_url("opioids"), post_data("opioids", _opioid_answers(OXYCODONE_10_X4))
    )
    assert response.status_code == 302, _error_summary(response)
    intake.refresh_from_db()
    [row] = intake.answers["opioids"]
    assert row["drug"] == "oxycodone"
    assert row["strength"] == 10
    assert row["doses_per_day"] == 4
    review = alice.get(reverse("intake:review"))
    assert review.context["mme"].total == 60
    assert "Your daily opioid amount, in morphine equivalents:</strong> 60 a day" in (
        review.content.decode()
    )


def test_fentanyl_patch_row_needs_no_doses_per_day(alice, intake):
    patch = {"drug": "fentanyl_patch", "strength": 25}
    response = alice.post(step_url("opioids"), post_data("opioids", _opioid_answers(patch)))
    assert response.status_code == 302, _error_summary(response)
    intake.refresh_from_db()
    assert intake.answers["opioids"][0]["drug"] == "fentanyl_patch"
    assert alice.get(reverse("intake:review")).context["mme"].total == 60


@pytest.mark.parametrize("drug", ["oxycodone", "tramadol", "methadone", "buprenorphine"])
def test_other_opioids_need_doses_per_day(alice, intake, drug):
    row = {"drug": drug, "strength": 10}
    response = alice.post(step_url("opioids"), post_data("opioids", _opioid_answers(row)))
    assert response.status_code == 200
    summary = _error_summary(response)
    assert "Doses per day (row 1)" in summary
    assert "How many doses a day?" in summary
    assert _summary_anchors(response) == ["id_opioids-0-doses_per_day"]


def test_another_opioid_must_be_named(alice, intake):
    row = {"drug": "other", "strength": 5, "doses_per_day": 2}
    response = alice.post(step_url("opioids"), post_data("opioids", _opioid_answers(row)))
    assert "Please name the opioid." in _error_summary(response)


def test_taking_opioids_needs_at_least_one_row_and_the_summary_links_to_it(alice, intake):
    # The page always posts one row, blank until the patient fills it in.
    response = alice.post(step_url("opioids"), post_data("opioids", _opioid_answers({})))
    assert response.status_code == 200
    summary = _error_summary(response)
    assert "Your opioid medicines" in summary
    assert "Add at least one." in summary
    assert _summary_anchors(response) == ["id_opioids-0-drug"]
    page = response.content.decode()
    assert 'id="id_opioids-0-drug"' in page
    assert page.count("Add at least one.") == 2  # in the summary and beside the rows


def test_opioid_rows_are_ignored_when_the_patient_takes_none(alice, intake):
    answers = {**_opioid_answers({"drug": "nonsense", "strength": "lots"}), "takes_opioids": "no"}
    response = alice.post(step_url("opioids"), post_data("opioids", answers))
    assert response.status_code == 302, _error_summary(response)
    intake.refresh_from_db()
    assert "opioids" not in intake.answers


def test_several_opioid_rows_are_stored_and_a_deleted_row_is_dropped(alice, intake):
    rows = [OXYCODONE_10_X4, {"drug": "tramadol", "strength": 50, "doses_per_day": 4}]
    data = post_data("opioids", _opioid_answers(*rows))
    data["opioids-1-DELETE"] = "on"
    alice.post(step_url("opioids"), data)
    intake.refresh_from_db()
    assert [r["drug"] for r in intake.answers["opioids"]] == ["oxycodone"]


def test_saved_opioid_rows_are_shown_again(alice, intake):
    rows = [OXYCODONE_10_X4, {"drug": "tramadol", "strength": 50, "doses_per_day": 3}]
    alice.post(step_url("opioids"), post_data("opioids", _opioid_answers(*rows)))
    response = alice.get(step_url("opioids"))
    page = response.content.decode()
    assert 'name="opioids-1-strength" value="50' in page
    assert response.context["form"].formsets["opioids"].initial_form_count() == 2


def test_more_opioid_rows_than_allowed_are_refused_without_error(alice, intake):
    rows = [OXYCODONE_10_X4] * 11
    response = alice.post(step_url("opioids"), post_data("opioids", _opioid_answers(*rows)))
    assert response.status_code == 200
    intake.refresh_from_db()
    assert len(intake.answers.get("opioids") or []) <= 10


def test_blank_extra_opioid_row_is_ignored(alice, intake):
    data = post_data("opioids", _opioid_answers(OXYCODONE_10_X4, {}))
    assert data["opioids-TOTAL_FORMS"] == "2"
    assert alice.post(step_url("opioids"), data).status_code == 302
    intake.refresh_from_db()
    assert len(intake.answers["opioids"]) == 1


# ------------------------------------------------------------------------------ submit


def test_submit_is_refused_with_a_list_of_what_is_missing_and_links(alice, intake):
    _seed(intake, BASE, through="about")
    response = alice.post(reverse("intake:review"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:review")
    page = response.content.decode()
    assert "Some answers are still missing" in page
    assert f'href="{step_url("pain")}#' in page
    assert f'href="{step_url("consent")}#' in page
    assert f'href="{step_url("about")}#' not in page
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_every_missing_answer_link_lands_on_its_question(alice, intake):
    gates = {
        "measurement_system": "us",
        "reminder_channel": "sms",
        "diagnoses": ["crps_1", "fibromyalgia", "other"],
        "takes_opioids": "yes",
        "has_allergies": "yes",
        "high_blood_pressure": "yes",
        "pcptsd_exposure": "yes",
        "goals": ["other"],
    }
    for key, value in gates.items():
        section = next(s.key for s in SECTIONS if any(q.key == key for q in s.questions))
        intake = services.save_step(
            intake=intake, step=section, raw={}, valid_answers={key: value}, complete=True
        )
    missing = services.missing_for_submit(intake)
    assert len(missing) > 60
    pages = {}
    for section, question in missing:
        if section.key not in pages:
            pages[section.key] = alice.get(step_url(section.key)).content.decode()
        assert f'id="id_{question.key}"' in pages[section.key], question.key


def test_submit_is_refused_until_consent_is_confirmed_with_save_and_continue(
    alice, intake, consent_text
):
    _seed(intake, BASE, through="care")
    alice.post(autosave_url("consent"), post_data("consent", BASE, action=""))
    intake.refresh_from_db()
    assert [q.key for _, q in services.missing_for_submit(intake)] == ["consent_signature"]
    alice.post(reverse("intake:review"))
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_submit_is_refused_while_the_email_is_unverified(alice, patient, intake, consent_text):
    patient.email_verified_at = None
    patient.save()
    _seed(intake, BASE, through="consent")
    response = alice.post(reverse("intake:review"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:portal")
    assert "confirm your email address" in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS


def test_complete_intake_is_submitted_with_scores_mme_version_and_consent(
    alice, intake, consent_text
):
    _seed(intake, BASE, through="care")
    response = alice.post(
        step_url("consent"),
        post_data("consent", BASE),
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.url == reverse("intake:review")

    response = alice.post(reverse("intake:review"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:portal")
    assert "Your intake is submitted" in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.submitted_at is not None
    assert intake.questionnaire_version == QUESTIONNAIRE_VERSION
    assert intake.mme_total == Decimal("60.0")
    assert intake.scores["PEG"]["value"] == pytest.approx(7.0)
    assert intake.scores["PHQ9"]["value"] == 8
    assert intake.consent_text == ConsentText.current() == consent_text
    assert intake.consent_signed_name == "Alice Anderson"
    assert intake.consent_ip == "203.0.113.7"
    assert intake.consent_user_agent == "Mozilla/5.0 (test)"
    assert intake.consent_signed_at is not None


def test_after_submit_a_step_url_lands_on_the_portal_with_a_kind_word_not_a_404(
    alice, patient, consent_text
):
    intake = seed_intake(patient=patient, answers=BASE, submit=True)
    portal = reverse("intake:portal")
    for key in STEP_KEYS:
        assert alice.get(step_url(key)).url == portal
        assert alice.post(step_url(key), post_data(key, {})).url == portal
    assert alice.get(reverse("intake:review")).url == portal
    assert alice.post(reverse("intake:review")).url == portal
    assert alice.get(reverse("intake:resume")).url == portal
    page = alice.get(step_url("about"), follow=True).content.decode()
    assert "Your intake is already with the clinic, so its pages are closed" in page
    assert "What happens next" in page
    intake.refresh_from_db()
    assert intake.status == intake.Status.SUBMITTED  # nothing was changed by the posts

    response = alice.get(reverse("intake:detail", args=[intake.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "12 Elm Street" in page
    assert "/intake/step/" not in page  # no edit links
    assert 'method="post" novalidate' not in page  # no answer form
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.answers["legal_first_name"] == "Alice"


# -------------------------------------------------------------------- PHQ-9 item 9


def _mood(item9: str, action: str = "next"):
    return post_data("mood", {**BASE, "phq9_9": item9}, action=action)


def test_phq9_item9_above_zero_goes_straight_to_crisis_resources_and_alerts_once(alice, intake):
    response = alice.post(step_url("mood"), _mood("2"))
    assert response.status_code == 302
    assert response.url == reverse("intake:support")
    assert UrgentAlert.objects.filter(intake=intake).count() == 1

    support = alice.get(response.url)
    assert support.status_code == 200
    assert "988" in support.content.decode()
    assert support.context["next_url"] == step_url("goals")

    alice.post(step_url("mood"), _mood("3"))
    alice.post(autosave_url("mood"), _mood("1"))
    assert UrgentAlert.objects.filter(intake=intake, acknowledged_at__isnull=True).count() == 1
    intake.refresh_from_db()
    assert intake.phq9_item9_positive


def test_phq9_item9_saved_with_other_answers_missing_still_shows_crisis_resources(alice, intake):
    response = alice.post(step_url("mood"), {"phq9_9": "1", "action": "next"})
    assert response.url == reverse("intake:support")
    assert UrgentAlert.objects.filter(intake=intake).count() == 1
    # Carrying on goes back to the unfinished step, where the draft is waiting.
    assert alice.get(response.url).context["next_url"] == step_url("mood")


def test_phq9_item9_saved_with_back_still_shows_crisis_resources(alice, intake):
    response = alice.post(step_url("mood"), _mood("1", action="back"))
    assert response.url == reverse("intake:support")


def test_phq9_item9_autosaved_alerts_staff_at_once(alice, intake):
    alice.post(autosave_url("mood"), {"phq9_9": "3"})
    assert UrgentAlert.objects.filter(intake=intake, kind="phq9_item9").count() == 1


def test_phq9_item9_of_zero_carries_on_without_an_alert(alice, intake):
    response = alice.post(step_url("mood"), _mood("0"))
    assert response.url == step_url("goals")
    assert not UrgentAlert.objects.filter(intake=intake).exists()


# ------------------------------------------------------------------------ query counts


def _queries_for(client, url) -> int:
    client.get(url)  # the first visit after a save records the current step; count the next
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [step_url("opioids"), reverse("intake:review")])
def test_page_queries_do_not_grow_with_the_number_of_opioid_rows(alice, intake, url):
    services.save_step(
        intake=intake,
        step="opioids",
        raw={},
        complete=True,
        valid_answers={"takes_opioids": "yes", "opioids": [OXYCODONE_10_X4]},
    )
    one_row = _queries_for(alice, url)
    services.save_step(
        intake=intake,
        step="opioids",
        raw={},
        complete=True,
        valid_answers={"takes_opioids": "yes", "opioids": [OXYCODONE_10_X4] * 10},
    )
    ten_rows = _queries_for(alice, url)
    assert ten_rows == one_row


def test_step_page_queries_do_not_grow_with_the_number_of_answers(alice, intake, consent_text):
    few = _queries_for(alice, step_url("about"))
    _seed(intake, BASE, through="consent")
    many = _queries_for(alice, step_url("about"))
    assert many == few


def test_a_step_page_and_its_saves_make_a_fixed_number_of_queries(
    alice, intake, other_patient, django_assert_num_queries
):
    services.start_intake(patient=other_patient)  # other intakes do not count
    data = post_data("pain", BASE)
    alice.get(step_url("pain"))  # the first visit records the step
    # Session, user, roles; then the intake (GET), or on PostgreSQL the intake with its row
    # version and the update made only if the row is still at that version (no transaction:
    # the update commits by itself); elsewhere the intake locked and its update, inside a
    # savepoint and its release here (the test runs in a transaction of its own).
    saves = 5 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(4):
        assert alice.get(step_url("pain")).status_code == 200
    with django_assert_num_queries(saves):
        assert alice.post(step_url("pain"), data).status_code == 302
    with django_assert_num_queries(saves):
        assert alice.post(autosave_url("pain"), data).json()["saved"] is True
