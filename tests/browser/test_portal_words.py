"""The portal after submitting, on a 375×812 phone: the "what happens next" timeline, the
kind redirect from an old step URL, and a note added for the clinic. axe on each state;
screenshots in /work/shots/words/."""

import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from intake import demo
from intake.models import Intake, IntakeEvent
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/words")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def phone(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"words-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / f"{name}.png")


def _stages(page) -> list[tuple[str, bool]]:
    items = page.locator(".intake-timeline li")
    return [
        (items.nth(i).locator("strong").inner_text(), items.nth(i).get_attribute("aria-current"))
        for i in range(items.count())
    ]


def test_portal_timeline_on_a_phone_after_submitting(phone, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    log_in(phone, patient.email, PASSWORD)

    # An old tab on a step: the portal, with a kind word, not a 404 page.
    phone.goto(reverse("intake:step", args=["about"]))
    phone.wait_for_load_state()
    assert phone.url.endswith(reverse("intake:portal"))
    assert "its pages are closed" in phone.locator("main").inner_text()
    assert [t for t, _ in _stages(phone)] == ["Submitted", "In review", "Decision", "Booking"]
    assert [c for _, c in _stages(phone)] == [None, "step", None, None]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone)
    shot(phone, "portal-submitted")

    # Add information without calling: kept for the clinicians.
    phone.get_by_label("What would you like the clinic to know?").fill("My new MRI is on CD.")
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.wait_for_load_state()
    assert "the clinical team will see this" in phone.locator("main").inner_text()
    assert IntakeEvent.objects.filter(
        intake=intake, kind=IntakeEvent.Kind.PATIENT_NOTE, text="My new MRI is on CD."
    ).exists()

    # Approved: the decision is done and booking is what to do now.
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
    phone.reload()
    assert [c for _, c in _stages(phone)] == [None, None, None, "step"]
    main = phone.locator("main").inner_text()
    assert "PEG" not in main and "MME" not in main
    assert_accessible(phone)
    shot(phone, "portal-approved")
