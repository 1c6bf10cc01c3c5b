"""On a 375×812 phone, by touch and by keyboard: the body map ticks real checkboxes (the
drawing is a shortcut), and the care step's uploads take a JPEG and a PDF and refuse a
renamed program beside the field; removing asks first and can be undone."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.documents.models import Document
from intake.models import Intake
from tests.browser.conftest import assert_accessible
from tests.browser.test_intake_journey import expect_step, group, label_of
from tests.browser.test_phone_intake import seeded
from tests.documents.test_documents import EXE, JPEG, PDF

SHOTS = Path("/work/shots/more")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_body_map_by_touch_and_keyboard_ticks_real_checkboxes(phone, patient):
    seeded(phone, patient, "about")
    phone.goto(reverse("intake:step", args=["pain"]))
    expect_step(phone, "Your pain")
    regions = group(phone, label_of("pain_regions"))
    foot = regions.get_by_label("Foot or toes, right", exact=True)
    expect(foot).not_to_be_checked()
    # A tap on the drawing's right foot (front view) ticks the box and colours both views.
    phone.locator('.body-map-view svg .body-part[data-area="foot_right"]').first.tap()
    expect(foot).to_be_checked()
    expect(phone.locator('.body-part.is-chosen[data-area="foot_right"]')).to_have_count(2)
    # The keyboard reaches the checkbox itself; Space ticks it.
    ankle = regions.get_by_label("Ankle, right", exact=True)
    ankle.focus()
    phone.keyboard.press("Space")
    expect(ankle).to_be_checked()
    # The drawing is hidden from screen readers: the checklist is the control.
    expect(phone.locator(".body-map-drawing")).to_have_attribute("aria-hidden", "true")
    assert_accessible(phone)
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375
    shot(phone, "body-map-375")
    # Autosave keeps the ticks.
    expect(phone.locator("#autosave-status")).to_contain_text("Saved", timeout=15_000)
    answers = Intake.objects.get(patient=patient).answers
    assert {"foot_right", "ankle_right"} <= set(answers["pain_regions"])


def _choose(page, name: str, content: bytes, mime: str, kind_label: str) -> None:
    page.get_by_label("What it is").select_option(label=kind_label)
    page.get_by_label("Photo or file").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )
    page.get_by_role("button", name="Add this document").click()


def test_care_step_uploads_a_jpeg_and_a_pdf_and_refuses_a_renamed_program(phone, patient):
    seeded(phone, patient, "goals")
    phone.goto(reverse("intake:step", args=["care"]))
    expect_step(phone, "Insurance, pharmacy and doctors")
    assert_accessible(phone)
    phone.get_by_role("link", name="Add photos or files").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your documents")
    assert_accessible(phone)

    _choose(phone, "card-front.jpg", JPEG, "image/jpeg", "Insurance card, front")
    expect(phone.get_by_role("list").filter(has_text="card-front.jpg")).to_be_visible()
    _choose(phone, "referral.pdf", PDF, "application/pdf", "Referral letter from your doctor")
    expect(phone.locator("#my-documents")).to_contain_text("referral.pdf")

    _choose(phone, "insurance.jpg", EXE, "image/jpeg", "Insurance card, back")
    expect(phone.locator("#div_id_file")).to_contain_text("not a photo or a PDF")
    assert_accessible(phone)
    shot(phone, "uploads-refused-375")
    assert Document.objects.filter(patient=patient).count() == 2

    # Remove asks first, then offers an undo.
    phone.get_by_role("link", name="Remove Insurance card, front").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Remove this document?")
    phone.get_by_role("button", name="Yes, remove it").click()
    phone.get_by_role("button", name="Undo: put it back").click()
    expect(phone.locator("#my-documents")).to_contain_text("card-front.jpg")

    phone.get_by_role("link", name="Done: back to your intake").click()
    expect_step(phone, "Insurance, pharmacy and doctors")
    expect(phone.locator("#uploads")).to_contain_text("Insurance card, front: card-front.jpg")
    shot(phone, "care-step-375")
