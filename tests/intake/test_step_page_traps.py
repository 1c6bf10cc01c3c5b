"""The step page without traps: Enter saves and continues, the crisis box sits beside
PHQ-9 item 9, ticks only on steps with answers, the signature resembles the name, limits
are said and not enforced silently, medicine names are suggested and read back."""

import re

import pytest
from django.urls import reverse

from intake import services
from intake.demo import BASE, answers_for_steps
from intake.questionnaire import SECTIONS
from tests.intake.helpers import autosave_url, post_data, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(patient):
    return services.start_intake(patient=patient)


@pytest.fixture
def alice(login, patient, intake):
    return login(patient)


def _seed(intake, answers, through):
    for section in SECTIONS:
        intake = services.save_step(
            intake=intake,
            step=section.key,
            raw={},
            valid_answers=answers_for_steps(answers, (section.key,)),
            complete=True,
        )
        if section.key == through:
            break
    intake.refresh_from_db()
    return intake


def _submit_buttons(html: str) -> list[str]:
    form = html[html.index('id="intake-form"') :]
    return re.findall(r'<button type="submit" name="action" value="(\w+)"', form)


@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
def test_save_and_continue_is_the_first_submit_button_so_enter_never_goes_back(alice, key):
    buttons = _submit_buttons(alice.get(step_url(key)).content.decode())
    assert buttons[0] == "next"
    first = key == SECTIONS[0].key
    assert buttons == (["next", "later"] if first else ["next", "back", "later"])


def test_the_questions_come_before_the_step_list_in_the_page(alice):
    html = alice.get(step_url("pain")).content.decode()
    assert html.index('id="intake-form"') < html.index('aria-label="Intake steps"')


def test_the_crisis_box_is_rendered_beside_item_9_when_it_was_answered_above_0(alice, intake):
    _seed(intake, {**BASE, "phq9_9": "1"}, through="mood")
    html = alice.get(step_url("mood")).content.decode()
    item9 = html.index('data-key="phq9_9"')
    box = html.index("Support is available right now.")
    difficulty = html.index('data-key="phq9_difficulty"')
    assert item9 < box < difficulty
    # Nothing else between item 9's block and the box: it is beside the question.
    between = html[item9:box]
    assert between.count('class="q ') == 0
    assert '<div id="crisis-now" aria-live="assertive">' in html


def test_no_crisis_box_shows_when_item_9_is_0_but_the_live_region_waits_beside_it(alice, intake):
    _seed(intake, {**BASE, "phq9_9": "0"}, through="mood")
    html = alice.get(step_url("mood")).content.decode()
    region = re.search(r'<div id="crisis-now" aria-live="assertive">(.*?)</div>', html, re.S)
    assert region and region[1].strip() == ""
    assert (
        html.index('data-key="phq9_9"') < region.start() < html.index('data-key="phq9_difficulty"')
    )


def test_autosave_says_crisis_for_item_9_above_0(alice, intake):
    _seed(intake, BASE, through="health")
    reply = alice.post(autosave_url("mood"), post_data("mood", {**BASE, "phq9_9": "2"}))
    assert reply.json()["crisis"] is True


def _ticked(html: str) -> list[str]:
    nav = html[html.index('aria-label="Intake steps"') :]
    nav = nav[: nav.index("</nav>")]
    items = re.findall(r"<li.*?</li>", nav, re.S)
    return [
        re.sub(r"<.*?>|\s+", " ", item).replace("(done)", "").strip()
        for item in items
        if "(done)" in item
    ]


def test_ticks_show_only_on_steps_with_answers(alice, intake):
    # Diagnoses is optional: visited and left empty it is complete but has no tick.
    answers = {k: v for k, v in BASE.items() if k not in ("diagnoses", "diagnosis_other")}
    intake = _seed(intake, answers, through="treatments")
    for key in ("about", "pain", "diagnoses", "treatments"):
        alice.get(step_url(key))
    ticked = _ticked(alice.get(step_url("opioids")).content.decode())
    assert "About you" in ticked[0]
    assert not any("diagnos" in t.lower() for t in ticked)
    assert not any("Review and submit" in t for t in ticked)


def test_the_review_step_has_no_tick_before_submitting(alice, intake):
    _seed(intake, BASE, through="goals")
    html = alice.get(reverse("intake:review")).content.decode()
    assert not any("Review and submit" in t for t in _ticked(html))


def test_a_signature_of_one_letter_is_refused_beside_the_field_and_kept(alice, intake):
    _seed(intake, BASE, through="goals")
    data = post_data("consent", {**BASE, "consent_signature": "M"})
    html = alice.post(step_url("consent"), data).content.decode()
    message = (
        "Please type your full name as your signature, as you gave it at the start: "
        "Alice Anderson. It does not need to match exactly."
    )
    assert message in html
    field = re.search(r'<input[^>]*name="consent_signature"[^>]*>', html)[0]
    assert 'value="M"' in field and "is-invalid" in field
    intake.refresh_from_db()
    assert not intake.answers.get("consent_signature")


def test_a_signature_resembling_the_name_is_accepted(alice, intake):
    _seed(intake, BASE, through="goals")
    data = post_data("consent", {**BASE, "consent_signature": "alice andersen"})
    response = alice.post(step_url("consent"), data)
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.answers["consent_signature"] == "alice andersen"


def test_the_browser_is_not_told_to_cut_long_text_and_the_server_says_it_is_too_long(alice, intake):
    html = alice.get(step_url("medications")).content.decode()
    assert "maxlength=" not in html
    assert 'data-max-chars="2000"' in html
    _seed(intake, BASE, through="opioids")
    data = post_data("medications", {**BASE, "has_allergies": "yes", "allergies": "x" * 2500})
    html = alice.post(step_url("medications"), data).content.decode()
    assert "please shorten it to 2000 characters or fewer (it has 2500 now)" in html


def test_medicine_names_are_suggested_and_read_back_as_we_understood_them(alice, intake):
    _seed(intake, BASE, through="opioids")
    answers = {**BASE, "other_medications": [{"name": "klonipin"}]}
    alice.post(step_url("medications"), {**post_data("medications", answers), "action": "back"})
    html = alice.get(step_url("medications")).content.decode()
    assert '<datalist id="medicine-names">' in html and '<option value="Klonopin">' in html
    name = re.search(r'<input[^>]*name="other_medications-0-name"[^>]*>', html)[0]
    assert 'list="medicine-names"' in name
    assert "We read this as Klonopin (clonazepam). If that is not right, please correct it." in html


def test_autosave_returns_what_each_medicine_name_was_read_as(alice, intake):
    _seed(intake, BASE, through="opioids")
    answers = {**BASE, "other_medications": [{"name": "clonazapam"}, {"name": "sertraline"}]}
    readings = alice.post(autosave_url("medications"), post_data("medications", answers)).json()[
        "readings"
    ]
    assert readings == {
        "other_medications-0-name": "We read this as clonazepam. If that is not right, please "
        "correct it.",
        "other_medications-1-name": "",
    }
