"""The same intake step open in two tabs of one browser: every answer from both survives."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.demo import BASE, seed_intake
from intake.models import Intake
from intake.questionnaire import QUESTION_BY_KEY
from intake.steps import ALL_STEPS
from tests.browser.conftest import assert_accessible, log_in, shoot
from tests.conftest import PASSWORD

HELPS = QUESTION_BY_KEY["pain_helps"].label
WORSE = QUESTION_BY_KEY["pain_worse"].label


@pytest.fixture
def tabs(browser, live_server, django_db_serialized_rollback, patient):
    """Alice, logged in, with everything answered but what helps or worsens her pain, and
    the pain step open in two tabs of one browser (one session)."""
    answers = {k: v for k, v in BASE.items() if k not in ("pain_helps", "pain_worse")}
    seed_intake(patient=patient, answers=answers, submit=False)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    one = context.new_page()
    log_in(one, patient.email, PASSWORD)
    one.wait_for_url(lambda url: "/accounts/login/" not in url)
    two = context.new_page()
    for tab in (one, two):
        tab.goto(reverse("intake:step", args=["pain"]))
    yield one, two
    context.close()


def type_and_wait_for_the_save(tab, label: str, text: str) -> None:
    tab.get_by_label(label).fill(text)
    tab.get_by_label(label).blur()  # leaving the field saves soon, without waiting 3 s
    expect(tab.locator("#autosave-status")).to_contain_text("Saved at")


def test_answers_typed_in_two_tabs_both_reach_the_review_page(tabs, patient):
    one, two = tabs
    type_and_wait_for_the_save(one, HELPS, "Rest and cool air on the foot.")
    type_and_wait_for_the_save(two, WORSE, "Stairs and cold weather.")
    # The first tab still shows an empty "worse" box; continuing from it must not wipe it.
    one.get_by_role("button", name="Save and continue").click()
    expect(one.get_by_role("heading", level=1)).to_have_text("Your diagnoses")

    one.goto(reverse("intake:review"))
    expect(one.get_by_text("Rest and cool air on the foot.")).to_be_visible()
    expect(one.get_by_text("Stairs and cold weather.")).to_be_visible()
    answers = Intake.objects.get(patient=patient).answers
    assert answers["pain_helps"] == "Rest and cool air on the foot."
    assert answers["pain_worse"] == "Stairs and cold weather."


def test_one_answer_changed_in_both_tabs_shows_both_and_lets_the_patient_choose(tabs, patient):
    one, two = tabs
    type_and_wait_for_the_save(one, HELPS, "Rest.")
    type_and_wait_for_the_save(two, HELPS, "Cold air.")

    note = two.locator('.conflict-note[data-conflict="pain_helps"]')
    expect(note).to_contain_text("You changed this in another window: “Rest.”")
    expect(note).to_contain_text("Which do you want to keep?")
    expect(note).to_contain_text("Keep what this window shows: “Cold air.”")
    assert_accessible(two)
    shoot(two, "intake-two-tabs-conflict")

    note.get_by_label("Keep the other window's answer: “Rest.”").check()
    expect(two.get_by_label(HELPS)).to_have_value("Rest.")  # the page reloads with it
    expect(two.locator(".conflict-note")).to_have_count(0)
    assert Intake.objects.get(patient=patient).answers["pain_helps"] == "Rest."


def test_typing_before_the_page_script_has_loaded_is_still_saved(page, patient):
    """A slow phone: the form is on screen before intake.js arrives and the patient starts
    typing. The script must not take that typing for what the page was loaded with."""
    answers = {k: v for k, v in BASE.items() if k not in ("pain_helps", "pain_worse")}
    seed_intake(patient=patient, answers=answers, submit=False)
    log_in(page, patient.email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    held = []
    page.route("**/intake/intake*.js", lambda route: held.append(route))
    page.goto(reverse("intake:step", args=["pain"]), wait_until="commit")
    page.get_by_label(HELPS).fill("Rest and cool air on the foot.")
    assert len(held) == 1  # the script is still on its way: nothing has heard the typing
    held[0].continue_()
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    assert Intake.objects.get(patient=patient).answers["pain_helps"] == (
        "Rest and cool air on the foot."
    )


def test_opening_an_answered_step_changes_nothing(page, patient):
    """The other side of the test above: with nothing typed, the markup and the fields
    agree on every step, so merely opening one neither marks it edited nor saves it."""
    seed_intake(patient=patient, answers=BASE, submit=False)
    log_in(page, patient.email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for step in (step for step in ALL_STEPS if step.section):
        page.goto(reverse("intake:step", args=[step.key]))
        expect(page.locator("#autosave-status")).to_have_text("Your answers are saved as you type.")
