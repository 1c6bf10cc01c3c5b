"""The treatment course in Chromium: the outcome charts a clinician and a patient see, and
the whole course from the consultation's outcome to a booster prompt. Screenshots in
/work/shots/charts/."""

from pathlib import Path

import pytest
from django.utils import timezone

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from consultations import demo as course_demo
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD, make_user

SHOTS = Path("/work/shots/charts")


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _demo_courses():
    course_demo.seed_courses(
        now=timezone.now(),
        create_account=lambda *, email, first, last: make_user(email, Role.PATIENT, first, last),
    )
    return {u.first_name: u for u in User.objects.filter(email__endswith="@patient.example")}


@pytest.fixture
def desk(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_clinician_reads_the_responder_chart_on_the_patient_page(desk, provider):
    people = _demo_courses()
    frank = people["Frank"]
    log_in(desk, provider.user.email, PASSWORD)
    desk.goto(f"/staff/patients/{frank.pk}/")
    section = desk.get_by_role("region", name="Outcomes over time")
    peg = section.get_by_role("img", name="PEG (pain, enjoyment of life, general activity; 0–10)")
    peg.wait_for()
    assert section.get_by_role("img").count() == 3  # PEG, PHQ-9, MME
    table = section.get_by_role("table", name="Scores, check-ins and infusions, oldest first")
    assert (
        table.get_by_role("row")
        .filter(has=desk.get_by_role("rowheader", name="Infusion 6", exact=True))
        .count()
        == 1
    )
    assert (
        table.get_by_role("row")
        .filter(has=desk.get_by_role("rowheader", name="12-week check-in", exact=True))
        .count()
        == 1
    )
    assert_accessible(desk)
    section.scroll_into_view_if_needed()
    _shoot(desk, "staff-responder-chart")


def test_coordinator_sees_no_scores_on_the_patient_page(desk, provider, coordinator):
    frank = _demo_courses()["Frank"]
    log_in(desk, coordinator.email, PASSWORD)
    desk.goto(f"/staff/patients/{frank.pk}/")
    desk.get_by_role("heading", name="Appointments").wait_for()
    assert desk.get_by_role("region", name="Outcomes over time").count() == 0
    assert desk.locator("svg.outcome-chart").count() == 0


def test_patient_sees_her_own_chart_in_plain_words_on_a_phone(phone_page, provider):
    grace = _demo_courses()["Grace"]
    page = phone_page
    log_in(page, grace.email, PASSWORD)
    page.goto("/portal/")
    section = page.get_by_role("region", name="How you have been doing")
    section.get_by_role(
        "img", name="Your pain and how it affects your life (0 = none, 10 = worst)"
    ).wait_for()
    text = section.inner_text()
    for jargon in ("PEG", "PHQ", "MME", "responder", "baseline"):
        assert jargon not in text
    assert "not answered" in text  # her missed monthly check-in, a gap not a line
    assert_accessible(page)
    _shoot(page, "portal-chart-phone")
