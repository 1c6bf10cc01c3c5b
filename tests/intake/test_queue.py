"""The staff queue keeps its status across paging, sorting and filters, and pages cleanly."""

import re

import pytest

from clinic.accounts.models import User
from intake.models import AWAITING_REVIEW, Intake
from intake.screening import Triage

S = Intake.Status
pytestmark = pytest.mark.django_db


def _intakes(n: int, status: str, *, tag: str) -> list[int]:
    """n intakes in one status that tie on every sort key (same name, triage and dates)."""
    users = User.objects.bulk_create(
        User(email=f"{tag}-{i}@example.com", first_name="Pat", last_name="Same") for i in range(n)
    )
    intakes = Intake.objects.bulk_create(
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
    return [i.pk for i in intakes]


def _shown(response) -> list:  # the rows shown, as named tuples of their values
    assert response.status_code == 200
    return list(response.context["table"].page.object_list)


def _current_tab(html: str) -> str:
    """The one status tab marked as the current page."""
    tabs = re.findall(r'<a class="nav-link active" href="\?status=(\w*)" aria-current="page"', html)
    assert len(tabs) == 1, tabs
    return tabs[0]


@pytest.fixture
def queue(login, clinician):
    """30 awaiting review, 30 in progress, 30 approved: more than a page of each."""
    _intakes(15, S.SUBMITTED, tag="sub")
    _intakes(15, S.IN_REVIEW, tag="rev")
    _intakes(30, S.IN_PROGRESS, tag="draft")
    _intakes(30, S.APPROVED, tag="ok")
    return login(clinician)


# A search and a filter page without a count; a status tab is counted.
@pytest.mark.parametrize("query", ["q=Same", "status=&flag=", "status=awaiting"])
@pytest.mark.parametrize("page", ["9" * 40, "99999999999999999999", "-5", "0", "1e3"])
def test_an_impossible_page_number_shows_page_one(queue, query, page):
    # Forty digits overflowed the OFFSET of a search's page (a 500).
    response = queue.get(f"/staff/?{query}&page={page}")
    assert _shown(response)
    assert response.context["table"].page.number == 1


def test_page_two_keeps_the_default_awaiting_review_status(queue):
    response = queue.get("/staff/?page=2")
    shown = _shown(response)
    assert shown and {i.status for i in shown} <= set(AWAITING_REVIEW)
    assert _current_tab(response.content.decode()) == "awaiting"


def test_sorting_by_patient_keeps_the_default_status(queue):
    response = queue.get("/staff/?sort=patient&per_page=100")
    assert {i.status for i in _shown(response)} == set(AWAITING_REVIEW)
    assert _current_tab(response.content.decode()) == "awaiting"


def test_plain_queue_marks_awaiting_review_as_the_current_tab(queue):
    html = queue.get("/staff/").content.decode()
    assert _current_tab(html) == "awaiting"
    assert "Showing intakes awaiting review" in html


@pytest.mark.parametrize("query", ["page=2", "sort=patient", "sort=-submitted_at&page=2"])
def test_a_status_tab_stays_selected_while_paging_and_sorting(queue, query):
    response = queue.get(f"/staff/?status=approved&{query}")
    assert {i.status for i in _shown(response)} == {S.APPROVED}
    html = response.content.decode()
    assert _current_tab(html) == "approved"
    # The table's own paging and sorting links carry the status on.
    links = re.findall(r'href="(\?[^"]*(?:page|sort)=[^"]*)"', html)
    assert links and all("status=approved" in link for link in links)


def test_any_status_stays_any_status_while_paging(queue):
    response = queue.get("/staff/?status=&per_page=100")
    assert len(_shown(response)) == 90
    assert 'aria-current="page"' not in response.content.decode().split("status-counts")[1][:3000]


def test_an_unknown_status_falls_back_to_awaiting_review(queue):
    response = queue.get("/staff/?status=nope&page=2")
    assert {i.status for i in _shown(response)} <= set(AWAITING_REVIEW)
    assert _current_tab(response.content.decode()) == "awaiting"


def _walk(client, url: str, pages: int = 5) -> tuple[list[int], object]:
    """The intakes pages 1 to `pages` of the queue at `url` show, in order, and the last
    page's response."""
    seen = []
    for page in range(1, pages + 1):
        response = client.get(f"{url}&page={page}")
        seen += [i.pk for i in _shown(response)]
    return seen, response


@pytest.mark.parametrize(
    "sort",
    [
        "",
        "triage",
        "-triage",
        "patient",
        "-patient",
        "email",
        "status",
        "-submitted_at",
        "assigned_to",
        "open_stop_count",
        "mme_band",
    ],
)
def test_walking_every_page_shows_every_intake_exactly_once(login, clinician, sort):
    # Every row ties on every sort key, so only the tie-breaker decides the order.
    expected = _intakes(23, S.SUBMITTED, tag="tie") + _intakes(22, S.IN_REVIEW, tag="tie2")
    seen, response = _walk(login(clinician), f"/staff/?sort={sort}&per_page=10")
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    # SQLite happens to return ties in insertion order; PostgreSQL does not, so the order
    # itself must end on the primary key.
    assert response.context["table"].page.object_list.query.order_by[-1] in ("pk", "-pk")


@pytest.mark.parametrize("q", ["9" * 100_000, "anderson " * 20_000])
def test_a_pasted_megabyte_in_the_search_box_is_cut_not_a_server_error(queue, q):
    response = queue.get("/staff/", {"q": q})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "sort", ["", "-triage", "patient", "-email", "status", "assigned_to", "open_stop_count"]
)
def test_walking_every_page_of_a_search_shows_every_match_exactly_once(login, clinician, sort):
    # A search's page finds its ids first, then their rows (tables._open_page): the same
    # rows, in the same order, whatever the sort; the other patients never.
    expected = _intakes(23, S.SUBMITTED, tag="tie") + _intakes(22, S.APPROVED, tag="tie2")
    User.objects.bulk_create(User(email=f"x{i}@example.com", last_name="Other") for i in range(3))
    client = login(clinician)
    seen, response = _walk(client, f"/staff/?q=same+pat&status=&sort={sort}&per_page=10")
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert not response.context["table"].page.has_next()
    shown = client.get(f"/staff/?q=same+pat&status=&sort={sort}&per_page=100")
    assert [i.pk for i in _shown(shown)] == seen
