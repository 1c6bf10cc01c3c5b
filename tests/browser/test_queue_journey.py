"""A clinician pages and sorts the review queue and never leaves the status she chose."""

from clinic.accounts.models import User
from intake.models import Intake
from intake.screening import Triage
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD

S = Intake.Status


def _intakes(n: int, status: str, *, tag: str) -> None:
    users = User.objects.bulk_create(
        User(email=f"{tag}-{i}@example.com", first_name=f"{tag.title()}{i:02d}", last_name="Queue")
        for i in range(n)
    )
    Intake.objects.bulk_create(
        Intake(
            patient=u,
            status=status,
            questionnaire_version="t",
            triage=Triage.REVIEW,
            answers={},
            submitted_at="2026-11-01T10:00Z",
        )
        for u in users
    )


def _names(page) -> set[str]:
    return set(page.locator("table tbody tr a[href*='/staff/intakes/']").all_inner_texts())


def _current_tab(page) -> str:
    return page.locator('.nav-link[aria-current="page"]').inner_text().strip()


def test_paging_and_sorting_the_queue_keeps_its_status(page, clinician):
    _intakes(30, S.SUBMITTED, tag="waiting")
    _intakes(30, S.APPROVED, tag="approved")
    _intakes(30, S.IN_PROGRESS, tag="drafting")
    log_in(page, clinician.email, PASSWORD)
    page.goto("/staff/")
    awaiting = _current_tab(page)
    assert "Awaiting" in awaiting
    seen = _names(page)
    assert seen and all("Waiting" in name for name in seen)
    assert_accessible(page)

    # Page 2 through the pager: still awaiting review, and no row seen twice.
    page.locator(".pagination").get_by_role("link", name="2").first.click()
    page.wait_for_url("**page=2**")
    second = _names(page)
    assert second and all("Waiting" in name for name in second)
    assert not second & seen
    assert _current_tab(page) == awaiting

    # Sorting by the Patient header keeps the status too, on both of its pages.
    page.locator("table thead").get_by_role("link", name="Patient").click()
    page.wait_for_url("**sort=patient**")
    assert _current_tab(page) == awaiting
    pages = []
    for number in ("1", "2"):
        page.locator(".pagination").get_by_role("link", name=number, exact=True).first.click()
        page.wait_for_url(f"**page={number}**")
        assert "sort=patient" in page.url
        names = _names(page)
        assert names and all("Waiting" in name for name in names)
        assert _current_tab(page) == awaiting
        pages.append(names)
    assert not pages[0] & pages[1]
    assert len(pages[0] | pages[1]) == 30  # every awaiting intake once across the two pages
    assert sorted(pages[0])[-1] < sorted(pages[1])[0]  # sorted by name across the pages

    # Another tab switches status, and its paging keeps that one.
    page.get_by_role("link", name="Approved").first.click()
    page.wait_for_url("**status=approved**")
    assert all("Approved" in name for name in _names(page))
