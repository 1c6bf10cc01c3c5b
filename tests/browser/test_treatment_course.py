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


def test_clinician_reads_the_cohort_page_and_downloads_it(desk, provider):
    _demo_courses()
    log_in(desk, provider.user.email, PASSWORD)
    desk.get_by_role("link", name="Outcomes").click()
    desk.get_by_role("heading", name="Outcomes of infusion series").wait_for()
    assert desk.get_by_test_id("total-courses").inner_text() == "3"
    grades = desk.get_by_role("table", name="Outcomes by the strongest evidence grade")
    assert grades.get_by_role("rowheader", name="Grade B (moderate evidence)").count() == 1
    assert_accessible(desk)
    _shoot(desk, "cohort")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("outcomes-cohort-")


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


# ------------------------------------------------------------------ the whole course


@pytest.fixture
def infusion_clinic(approved_patient, provider):
    """Opening hours, two chairs, a supervising clinician, and Alice's consultation
    yesterday (her intake's PEG, 7.0, is the baseline)."""
    import datetime as dt

    from consultations.models import Chair, Location, OpeningHours
    from tests.consultations.conftest import consulted

    location = Location.objects.filter(kind=Location.Kind.CLINIC).first()
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, start=dt.time(8), end=dt.time(17)
        )
    for name in ("Chair 1", "Chair 2"):
        Chair.objects.get_or_create(location=location, name=name)
    provider.supervises_infusions = True
    provider.save(update_fields=["supervises_infusions"])
    return consulted(approved_patient, provider, start=timezone.now() - dt.timedelta(days=1))


def _two_weeks_pass(course):
    """The series took place: every infusion moved back by the same whole number of weeks,
    in clinic wall time (so each keeps its weekday and its time of day, as the clinic's
    weekday hours booked it), and completed; the last one at least eight days ago (the
    1-week check-in is due)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from consultations.models import AppointmentStatus

    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    infusions = list(course.infusions.order_by("start"))
    late_by = infusions[-1].start - (timezone.now() - dt.timedelta(days=8))
    weeks = dt.timedelta(weeks=-(-late_by // dt.timedelta(weeks=1)))
    for infusion in infusions:
        local = infusion.start.astimezone(zone)
        start = dt.datetime.combine(local.date() - weeks, local.time(), tzinfo=zone)
        for field in ("end", "block_start", "block_end", "chair_end"):
            setattr(infusion, field, start + (getattr(infusion, field) - infusion.start))
        infusion.start = start
        infusion.status = AppointmentStatus.COMPLETED
        infusion.save()
    assert all(i.start.astimezone(zone).weekday() < 5 for i in infusions)
    return infusions


def test_a_whole_course_from_the_outcome_to_the_chart(
    desk, browser, live_server, infusion_clinic, approved_patient
):
    from consultations.models import Course

    consultation = infusion_clinic
    page = desk
    log_in(page, consultation.provider.user.email, PASSWORD)

    # 1. The consultation's outcome: proceed, with the examiner's Budapest signs.
    page.goto(f"/schedule/appointments/{consultation.pk}/outcome/")
    page.get_by_role("radio", name="Proceed to a course of infusions", exact=True).check()
    # The wording the patient reads: the first template written for "proceed".
    page.get_by_role("radio", name="Proceed to a course of infusions: ").first.check()
    signs = page.get_by_role("group", name="Budapest signs found at examination (CRPS)")
    if signs.count():
        signs.get_by_label("Allodynia (to light touch").check()
        signs.get_by_label("Edema", exact=True).check()
    page.get_by_label("Clinical note (staff only)").fill("Proceed to a 6-infusion series.")
    assert_accessible(page)
    page.get_by_role("button", name="Continue to check").click()
    page.get_by_role("heading", name="Record this outcome?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text("Outcome now: Proceed").first.wait_for()
    _shoot(page, "journey-1-outcome")

    # 2. A 6-infusion series planned and booked in one step.
    page.goto(f"/schedule/patients/{approved_patient.pk}/course/")
    page.get_by_label("Number of infusions").select_option("6")
    page.get_by_role("button", name="Show the earliest times").click()
    page.get_by_role("heading", name="Proposed series and alternatives").wait_for()
    assert_accessible(page)
    _shoot(page, "journey-2-plan")
    page.get_by_role("button", name="Book these 6").first.click()
    page.get_by_text("Infusion series for").first.wait_for()
    assert_accessible(page)
    _shoot(page, "journey-3-course")
    course = Course.objects.get(patient=approved_patient)
    assert course.infusions.count() == 6

    # Two weeks on: the series has taken place.
    _two_weeks_pass(course)

    # 3. An infusion record with vitals, at the chair.
    page.goto(f"/staff/patients/{approved_patient.pk}/")
    page.get_by_role("link", name="Infusion record").first.click()
    page.get_by_label("Arrived at").fill("09:00")
    page.get_by_label("Driver taking the patient home").fill("Bob Anderson")
    page.get_by_role("button", name="Save arrival and discharge").click()
    form = page.locator("form.reading-form")
    form.get_by_label("Before", exact=True).check()
    form.get_by_label("Time taken").fill("09:05")
    form.get_by_label("Systolic BP (mmHg)").fill("128")
    form.get_by_label("Diastolic BP (mmHg)").fill("80")
    form.get_by_label("Heart rate (bpm)").fill("72")
    form.get_by_label("SpO2 (%)").fill("98")
    form.get_by_role("button", name="Add the reading").click()
    page.get_by_text("Reading added.").wait_for()
    assert_accessible(page)
    _shoot(page, "journey-4-record")

    # 4. The 1-week check-in, filled in by the patient on her phone (PEG 7.0 -> 3.0).
    from consultations import checkin_services
    from consultations.models import CheckIn

    checkin_services.schedule_check_ins(patient=approved_patient)
    week_1 = CheckIn.objects.get(course=course, kind="week_1")
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    phone.set_default_timeout(15_000)
    patient_page = phone.new_page()
    log_in(patient_page, approved_patient.email, PASSWORD)
    _fill_check_in(patient_page, week_1, peg=3)
    _shoot(patient_page, "journey-5-check-in-thanks")

    # 5. The chart says so.
    page.goto(f"/staff/patients/{approved_patient.pk}/")
    section = page.get_by_role("region", name="Outcomes over time")
    status = section.get_by_test_id("chart-status")
    status.wait_for()
    assert status.inner_text().startswith("Substantial response")
    assert section.get_by_role("img").count() >= 1
    assert_accessible(page)
    section.scroll_into_view_if_needed()
    _shoot(page, "journey-6-chart")

    import datetime as dt

    # 6. A later check-in: the pain is back (PEG 6.0 lost half the gain) -> a booster prompt.
    later = CheckIn.objects.create(
        patient=approved_patient,
        course=course,
        kind="week_4",
        due_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    _fill_check_in(patient_page, later, peg=6)
    phone.close()
    page.goto("/schedule/boosters/")
    row = page.get_by_role("row").filter(has_text=approved_patient.get_full_name())
    assert "Relief fading" in row.inner_text()
    assert_accessible(page)
    _shoot(page, "journey-7-booster-prompt")

    # 7. The booster, planned and booked the same way as the series: one infusion on a chair.
    row.get_by_role("link", name="Book a booster").click()
    page.get_by_role("heading", name="Plan a booster infusion").wait_for()
    page.get_by_role("button", name="Show the earliest times").click()
    page.get_by_role("button", name="Book these 1").first.click()
    page.get_by_text("Booked: a booster infusion").wait_for()
    assert_accessible(page)
    _shoot(page, "journey-8-booster-booked")
    booster = Course.objects.get(patient=approved_patient, kind=Course.Kind.BOOSTER)
    assert booster.parent == course and booster.infusions.get().chair_id is not None


def _fill_check_in(page, check_in, *, peg: int) -> None:
    """The patient answers a follow-up check-in through its form (the emailed link)."""
    from django.urls import reverse

    page.goto(reverse("consultations:checkin", args=[check_in.pk]))
    page.get_by_role("heading", name="How are you doing?").wait_for()
    for key in ("peg_pain", "peg_enjoyment", "peg_activity"):
        page.locator(f'input[name="{key}"][value="{peg}"]').check()
    for n in range(1, 10):
        page.locator(f'input[name="phq9_{n}"][value="0"]').check()
    for n in range(1, 8):
        page.locator(f'input[name="gad7_{n}"][value="1"]').check()
    page.get_by_label("No change since last time").check()
    page.get_by_label("Much improved", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/appointments/check-ins/")
    check_in.refresh_from_db()
    assert check_in.completed_at is not None and check_in.scores["peg"] == float(peg)
