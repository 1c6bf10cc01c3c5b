"""The intake on a phone (375×812 and 320 px), the way a tired patient fills it in: Enter
saves and continues, nothing scrolls sideways, a 0–10 scale is one row, the crisis box
appears beside PHQ-9 item 9, medicine names are read back, limits are said."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.demo import BASE, answers_for_steps, seed_intake
from intake.models import Intake
from intake.steps import ALL_STEPS, STEP_BY_KEY
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_intake_journey import answer, expect_step, group, label_of
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/intake-ux")
STEP_KEYS = tuple(step.key for step in ALL_STEPS if step.section)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _phone(browser, live_server, width: int, height: int):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone(browser, live_server, django_db_serialized_rollback):
    """A 375 × 812 phone (an iPhone X-sized screen)."""
    context = _phone(browser, live_server, 375, 812)
    yield context.new_page()
    context.close()


@pytest.fixture
def small_phone(browser, live_server, django_db_serialized_rollback):
    """The narrowest phone a page must work on: 320 px (WCAG 1.4.10 reflow)."""
    context = _phone(browser, live_server, 320, 640)
    yield context.new_page()
    context.close()


def seeded(page, patient, through: str) -> Intake:
    keys = STEP_KEYS[: STEP_KEYS.index(through) + 1]
    intake = seed_intake(patient=patient, answers=answers_for_steps(BASE, keys), submit=False)
    log_in(page, patient.email, PASSWORD)
    return intake


def go(page, key: str) -> None:
    page.goto(reverse("intake:step", args=[key]))
    expect_step(page, STEP_BY_KEY[key].title)


def test_enter_on_a_text_field_saves_and_continues(phone, patient):
    seeded(phone, patient, "care")
    go(phone, "about")
    city = phone.get_by_label("City")
    city.fill("Shelbyville")
    city.press("Enter")
    # Not Back (the step before): the next step, with the typing saved.
    expect_step(phone, "Your pain")
    assert Intake.objects.get(patient=patient).answers["city"] == "Shelbyville"

    go(phone, "care")
    insurer = phone.get_by_label(label_of("insurance_name"))
    insurer.fill("Aetna")
    insurer.press("Enter")
    expect_step(phone, "Consent")
    assert Intake.objects.get(patient=patient).answers["insurance_name"] == "Aetna"
    shot(phone, "after-enter-consent")


def test_the_first_tab_stops_lead_to_the_questions_not_the_step_list(phone, patient):
    seeded(phone, patient, "pain")
    go(phone, "pain")
    first_field = phone.get_by_label(label_of("main_complaint"))
    presses = 0
    while presses < 12 and not first_field.evaluate("el => el === document.activeElement"):
        phone.keyboard.press("Tab")
        presses += 1
    # Skip link, clinic name, menu button, then the first question.
    assert presses <= 4, f"{presses} Tabs to the first field"


def test_no_page_of_the_intake_scrolls_sideways_at_320_px(small_phone, patient):
    seeded(small_phone, patient, "consent")
    pages = [reverse("intake:step", args=[key]) for key in STEP_KEYS]
    pages += [reverse("intake:review"), reverse("intake:portal")]
    for url in pages:
        small_phone.goto(url)
        width = small_phone.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide"
        assert_accessible(small_phone)
    small_phone.goto(reverse("intake:step", args=["pain"]))
    shot(small_phone, "320-pain")
    small_phone.get_by_role("button", name="Show menu").click()
    expect(small_phone.get_by_role("link", name="My portal")).to_be_visible()
    assert small_phone.evaluate("document.scrollingElement.scrollWidth") <= 320
    shot(small_phone, "320-menu-open")


def test_a_0_to_10_scale_is_one_row_of_eleven_choices_at_375_px(phone, patient):
    _scale_is_one_row(phone, patient, "375")


def test_a_0_to_10_scale_is_one_row_of_eleven_choices_at_320_px(small_phone, patient):
    _scale_is_one_row(small_phone, patient, "320")


def _scale_is_one_row(page, patient, width: str) -> None:
    seeded(page, patient, "pain")
    go(page, "pain")
    scale = group(page, label_of("pain_worst"))
    tops = [
        round(box["y"])
        for box in scale.locator("input").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect())"
        )
    ]
    assert len(tops) == 11
    assert max(tops) - min(tops) <= 1, f"the scale wraps: {tops}"
    # Each choice is still a target a finger can hit (WCAG 2.5.8: 24 × 24 px).
    boxes = scale.locator(".form-check").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
    )
    assert all(w >= 24 and h >= 24 for w, h in boxes), boxes
    scale.get_by_label("7", exact=True).check()
    expect(scale.get_by_label("7", exact=True)).to_be_checked()
    scale.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"scale-{width}.png"))


def test_the_crisis_box_appears_beside_item_9_and_is_announced(phone, patient):
    seeded(phone, patient, "health")
    go(phone, "mood")
    item9 = phone.locator('.q[data-key="phq9_9"]')
    box = phone.locator("#crisis-now .alert")
    expect(box).to_have_count(0)
    answer(phone, "phq9_9", "Several days")
    phone.keyboard.press("Tab")  # leaving the question saves it
    expect(box).to_be_visible()
    expect(box).to_contain_text("call or text 988")
    # Straight under item 9, before the next question, in a live region.
    below = item9.bounding_box()
    top = box.bounding_box()
    assert 0 <= top["y"] - (below["y"] + below["height"]) <= 24
    assert phone.locator("#crisis-now").get_attribute("aria-live") == "assertive"
    expect(box).to_have_attribute("role", "alert")
    assert_accessible(phone)
    item9.scroll_into_view_if_needed()
    phone.screenshot(path=str(SHOTS / "crisis-beside-item-9.png"))
    shot(phone, "mood-with-crisis-full")


def test_a_misspelled_medicine_is_read_back_and_a_combination_asks_its_opioid_part(phone, patient):
    seeded(phone, patient, "opioids")
    go(phone, "medications")
    row = phone.get_by_role("group", name="Other medicines you take — row 1")
    name = row.get_by_label("Medicine")
    assert name.get_attribute("list") == "medicine-names"
    name.fill("klonipin")
    row.get_by_label("Dose").click()  # leaving the field saves it
    expect(row.locator(".medicine-reading")).to_have_text(
        "We read this as Klonopin (clonazepam). If that is not right, please correct it."
    )
    assert_accessible(phone)
    row.scroll_into_view_if_needed()
    phone.screenshot(path=str(SHOTS / "medicine-read-back.png"))

    go(phone, "opioids")
    first = phone.get_by_role("group", name="Your opioid medicines — row 1")
    first.get_by_label("Brand or product name, if any").fill("Percocet")
    # The number field takes one number: the 325 on the label is the acetaminophen.
    first.get_by_label("Strength (mg)").fill("325")
    phone.get_by_role("button", name="Save and continue").click()
    expect_step(phone, "Opioid medicines")
    message = (
        "325 mg is the acetaminophen in Percocet. Enter the oxycodone part, the first number "
        "on the label (usually 2.5, 5, 7.5, 10)."
    )
    expect(phone.locator("#error-summary")).to_contain_text(message)
    strength = first.get_by_label("Strength (mg)")
    expect(strength).to_have_value("325")
    expect(strength).to_have_accessible_description(re.compile(re.escape(message)))
    assert_accessible(phone)
    shot(phone, "opioids-combination-message")


def test_text_over_the_limit_is_kept_counted_and_said(phone, patient):
    seeded(phone, patient, "opioids")
    go(phone, "medications")
    answer(phone, "has_allergies", "Yes")
    allergies = phone.get_by_label(label_of("allergies"))
    allergies.fill("a" * 2010)
    # Nothing was cut: the browser kept every character.
    assert len(allergies.input_value()) == 2010
    counter = phone.locator("#id_allergies-count")
    expect(counter).to_have_text(
        "2,010 of 2,000 characters: 10 too many. Please shorten it; nothing has been cut."
    )
    expect(allergies).to_have_accessible_description(
        "2,010 of 2,000 characters: 10 too many. Please shorten it; nothing has been cut."
    )
    allergies.fill("Penicillin: a rash.")
    expect(counter).to_have_text("19 of 2,000 characters.")
    assert_accessible(phone)


def test_a_signature_of_one_letter_is_refused_kindly_beside_the_field(phone, patient):
    seeded(phone, patient, "care")
    go(phone, "consent")
    signature = phone.get_by_label(label_of("consent_signature"))
    signature.fill("M")
    signature.press("Enter")
    expect_step(phone, "Consent")
    message = (
        "Please type your full name as your signature, as you gave it at the start: "
        "Alice Anderson. It does not need to match exactly."
    )
    expect(phone.locator("#div_id_consent_signature")).to_contain_text(message)
    expect(signature).to_have_value("M")
    assert_accessible(phone)
    shot(phone, "signature-refused")
