"""A 1366 x 768 laptop, the commonest clinic desktop: every staff role's dashboard shows the
whole queue table (PHQ-9 included) without sideways scrolling, and the main navigation
stays on one line."""

import shutil
from pathlib import Path

import pytest

from clinic.accounts.roles import Role
from intake import demo
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in, shoot
from tests.conftest import PASSWORD, make_user

SHOTS = Path("/work/shots/print")  # where the screenshots are looked at

# Every box of the navbar (brand and each item) shares one horizontal band (the highest
# bottom edge lies below the lowest top edge), and no link breaks inside its own words
# (each text is less than two of its lines tall).
NAV_ON_ONE_LINE = """() => {
  const items = [document.querySelector('.navbar-brand'),
                 ...document.querySelectorAll('#main-nav > ul > li')];
  const boxes = items.map(el => el.getBoundingClientRect()).filter(r => r.width > 0);
  const oneBand = Math.max(...boxes.map(r => r.top)) < Math.min(...boxes.map(r => r.bottom));
  const broken = [...document.querySelectorAll(
      '.navbar-brand, #main-nav .nav-link, #main-nav .navbar-text, #main-nav button')]
    .filter(el => el.getBoundingClientRect().height >=
                  2 * parseFloat(getComputedStyle(el).lineHeight))
    .map(el => el.innerText);
  const nav = document.querySelector('nav.navbar > div').getBoundingClientRect();
  const outside = boxes.filter(r => r.right > nav.right + 1).length;
  return {oneBand, broken, outside};
}"""
TABLE_OVERFLOW = """() => {
  const box = document.querySelector('.table-responsive');
  const phq9 = [...box.querySelectorAll('thead th')].find(th => th.innerText.includes('PHQ-9'));
  return {
    hidden: box.scrollWidth - box.clientWidth,
    page: document.documentElement.scrollWidth - window.innerWidth,
    phq9Right: phq9 ? phq9.getBoundingClientRect().right : null,
    boxRight: box.getBoundingClientRect().right,
  };
}"""


@pytest.fixture
def laptop(browser, live_server, django_db_serialized_rollback):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def queue(patient, other_patient):
    """Three intakes, one with a long name and address, as a real queue has."""
    long = make_user(
        "maria-fernanda.castellanos-whitfield@longmailprovider.example",
        Role.PATIENT,
        "Maria-Fernanda",
        "Castellanos-Whitfield",
    )
    demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    demo.seed_intake(patient=other_patient, answers=demo.FIBROMYALGIA, submit=True)
    demo.seed_intake(patient=long, answers=demo.NO_OPIOIDS_METRIC, submit=True)


@pytest.mark.parametrize("role", ["clinician", "coordinator", "clinic_admin"])
def test_dashboard_fits_1366_pixels_with_the_navigation_on_one_line(laptop, people, queue, role):
    user = people[role]
    log_in(laptop, user.email, PASSWORD)
    laptop.goto("/staff/")
    laptop.get_by_role("heading", name="Dashboard").wait_for()

    nav = laptop.evaluate(NAV_ON_ONE_LINE)
    assert nav == {"oneBand": True, "broken": [], "outside": 0}, f"{role}: {nav}"
    overflow = laptop.evaluate(TABLE_OVERFLOW)
    assert overflow["hidden"] <= 0, overflow  # nothing hidden behind a sideways scroll
    assert overflow["page"] <= 0, overflow
    if role == "clinician":  # only clinicians have the clinical columns
        assert overflow["phq9Right"] is not None
        assert overflow["phq9Right"] <= overflow["boxRight"], overflow
    assert_accessible(laptop)
    shoot(laptop, f"dashboard-1366-{role}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"dashboard-1366-{role}.png", SHOTS)


def test_review_page_fits_1366_pixels_and_offers_the_printed_summary(laptop, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    log_in(laptop, clinician.email, PASSWORD)
    laptop.goto(f"/staff/intakes/{intake.pk}/")
    laptop.get_by_role("heading", name="Screening flags").wait_for()
    assert laptop.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    link = laptop.get_by_role("link", name="Print summary (PDF)")
    assert link.get_attribute("href") == f"/staff/intakes/{intake.pk}/summary.pdf"
    response = laptop.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert_accessible(laptop)
    shoot(laptop, "review-1366-clinician")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / "review-1366-clinician.png", SHOTS)
