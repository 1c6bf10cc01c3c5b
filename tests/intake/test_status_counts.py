"""The queue's tab counts and page count come from counts the database keeps per status
(triggers, migration 0014): right after every kind of write, and without counting rows."""

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from clinic.accounts.models import User
from intake.models import Intake, IntakeStatusCount

S = Intake.Status
pytestmark = pytest.mark.django_db


def _kept() -> dict:
    return {status: n for status, n in IntakeStatusCount.objects.values_list("status", "n") if n}


def _counted() -> dict:
    rows = Intake.objects.order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows.values_list("status", "n"))


def _intakes(n: int, status: str, tag: str) -> list[Intake]:
    users = User.objects.bulk_create(User(email=f"{tag}{i}@example.com") for i in range(n))
    return Intake.objects.bulk_create(
        Intake(patient=u, status=status, questionnaire_version="t", answers={}) for u in users
    )


def test_counts_follow_bulk_inserts_saves_updates_and_deletes():
    drafts = _intakes(5, S.IN_PROGRESS, "d")
    _intakes(3, S.APPROVED, "a")
    assert _kept() == _counted() == {S.IN_PROGRESS: 5, S.APPROVED: 3}

    drafts[0].status = S.SUBMITTED
    drafts[0].save()
    Intake.objects.filter(pk__in=[drafts[1].pk, drafts[2].pk]).update(status=S.IN_REVIEW)
    drafts[3].delete()
    assert (
        _kept() == _counted() == {S.IN_PROGRESS: 1, S.SUBMITTED: 1, S.IN_REVIEW: 2, S.APPROVED: 3}
    )


def test_a_save_that_keeps_the_status_changes_no_count():
    (intake,) = _intakes(1, S.IN_PROGRESS, "k")
    before = _kept()
    intake.answers = {"pain_now": 4}
    intake.save()
    Intake.objects.filter(pk=intake.pk).update(status=S.IN_PROGRESS, current_step="pain")
    assert _kept() == before == _counted()


def test_a_rolled_back_change_leaves_the_counts_as_they_were():
    (intake,) = _intakes(1, S.SUBMITTED, "r")
    try:
        with transaction.atomic():
            Intake.objects.filter(pk=intake.pk).update(status=S.APPROVED)
            _intakes(2, S.DECLINED, "x")
            raise RuntimeError
    except RuntimeError:
        pass
    assert _kept() == _counted() == {S.SUBMITTED: 1}


@pytest.mark.parametrize(
    "query, expected",
    [("", 3), ("?status=", 8), ("?status=approved", 4), ("?status=in_progress", 1)],
)
def test_the_queue_pages_from_the_kept_counts_without_counting_rows(
    login, clinician, query, expected
):
    _intakes(2, S.SUBMITTED, "s")
    _intakes(1, S.IN_REVIEW, "v")
    _intakes(4, S.APPROVED, "p")
    _intakes(1, S.IN_PROGRESS, "g")
    client = login(clinician)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/staff/{query}")
    assert response.context["table"].page.paginator.count == expected
    assert len(response.context["table"].rows) == expected
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    # Only the abandoned tab's count (it depends on the clock) and the failed-message badge.
    assert all("intake_intake" not in sql or "updated_at" in sql for sql in counts), counts


def test_a_search_pages_on_without_counting_what_it_finds(login, clinician):
    _intakes(25, S.SUBMITTED, "s")
    User.objects.filter(email__startswith="s").update(last_name="Findable")
    User.objects.filter(email="s1@example.com").update(last_name="Other")
    client = login(clinician)
    seen = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/staff/?q=findable&status=&per_page=10&page={number}")
        table = response.context["table"]
        seen += [intake.pk for intake in table.page.object_list]
        assert bool(table.next) == (number < 3)
        assert bool(table.previous) == (number > 1)
        sqls = [q["sql"] for q in queries.captured_queries]
        assert not [sql for sql in sqls if sql.startswith("SELECT COUNT(") and "LIKE" in sql]
    assert len(seen) == len(set(seen)) == 24


def test_a_search_page_past_the_end_shows_the_first_page(login, clinician):
    _intakes(3, S.SUBMITTED, "s")
    response = login(clinician).get("/staff/?q=s1@&status=&page=40")
    assert response.context["table"].page.number == 1
    assert [i.patient__email for i in response.context["table"].page.object_list] == [
        "s1@example.com"
    ]
