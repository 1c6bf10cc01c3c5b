"""Two windows on one step, and one window's saves out of order: no answer is lost.

Each "window" is a logged-in client that opened the step (GET) and posts what a browser
would: the whole form, plus the page id, its save number and what the page was loaded with.
"""

import html
import json
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from intake import drafts, services, settings_services
from intake.demo import BASE, seed_intake
from intake.models import Intake
from intake.questionnaire import QUESTION_BY_KEY, SECTION_BY_KEY
from tests.intake.helpers import autosave_url, post_data, repeat_post_data, step_url

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"
)


class Window:
    """One browser tab on one step: remembers what the page was loaded with."""

    def __init__(self, client: Client, step: str):
        self.client, self.step, self.seq = client, step, 0
        self.reload()

    def reload(self):
        page = self.client.get(step_url(self.step)).content.decode()
        self.html = page
        self.page_id = re.search(r'name="_page" value="([^"]+)"', page).group(1)
        self.loaded = json.loads(
            html.unescape(re.search(r'name="_loaded" value="([^"]*)"', page).group(1))
        )
        self.values = {k: list(v) for k, v in self.loaded.items()}  # what the page shows

    def type(self, **fields):
        for key, value in fields.items():
            self.values[key] = value if isinstance(value, list) else [value]

    def body(self, seq=None, **extra) -> dict:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return {
            **self.values,
            "_page": self.page_id,
            "_seq": str(seq),
            "_loaded": json.dumps(self.loaded),
            **extra,
        }

    def autosave(self, body=None):
        return self.client.post(autosave_url(self.step), body or self.body())

    def save_and_continue(self, body=None):
        return self.client.post(step_url(self.step), body or self.body(action="next"))


OXYCODONE = {"drug": "oxycodone", "strength": 10.0, "doses_per_day": 4.0}
PATCH = {"drug": "fentanyl_patch", "strength": 25.0}


def _rows(rows: list[dict]) -> dict:
    data = repeat_post_data(QUESTION_BY_KEY["opioids"], rows)
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


def _client(patient) -> Client:
    client = Client()
    client.force_login(patient, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def intake(patient):
    return services.start_intake(patient=patient)


@pytest.fixture
def tabs(patient, intake):
    """Two sessions of Alice with the pain step open."""
    return Window(_client(patient), "pain"), Window(_client(patient), "pain")


def _answers(intake):
    intake.refresh_from_db()
    return intake.answers


# ------------------------------------------------------------------ two windows, one step


def test_two_windows_editing_different_answers_of_a_step_keep_both(tabs, intake):
    one, two = tabs
    one.type(pain_helps="Rest")
    assert one.autosave().json()["saved"] is True
    two.type(pain_worse="Stairs")  # still shows the empty "what helps"
    assert two.autosave().json()["saved"] is True

    answers = _answers(intake)
    assert answers["pain_helps"] == "Rest"
    assert answers["pain_worse"] == "Stairs"
    # And again, each window saving once more without knowing the other's answer.
    one.type(pain_helps="Rest and ice")
    one.autosave()
    two.save_and_continue()
    answers = _answers(intake)
    assert answers["pain_helps"] == "Rest and ice"
    assert answers["pain_worse"] == "Stairs"


@on_postgresql
def test_a_save_whose_row_changed_after_its_read_merges_again_with_the_row_as_it_is(
    tabs, intake, monkeypatch
):
    # PostgreSQL: the save reads unlocked and writes only if the row is still as read
    # (clinic.core.row_version). The other window's save lands between the two here; the
    # write is refused and the save is worked out again on the row locked.
    from django.db import transaction

    from clinic.core import row_version

    one, two = tabs
    real_update, refused = row_version.update, []

    def other_window_first(instance, fields, **kwargs):
        if not refused:
            with transaction.atomic():  # a transaction of its own: a new row version
                Intake.objects.filter(pk=intake.pk).update(answers={"pain_worse": "Stairs"})
        try:
            return real_update(instance, fields, **kwargs)
        except row_version.RowChanged:
            refused.append(fields)
            raise

    monkeypatch.setattr(row_version, "update", other_window_first)
    one.type(pain_helps="Rest")
    assert one.autosave().json()["saved"] is True
    answers = _answers(intake)
    assert (answers["pain_helps"], answers["pain_worse"]) == ("Rest", "Stairs")
    assert len(refused) == 1


def test_a_client_that_sends_no_starting_point_saves_the_step_as_posted(tabs, intake):
    # The control: without `_loaded` the server cannot tell typed from shown, so the whole
    # step is stored as posted, as before the merge (and the other window's answer goes).
    one, two = tabs
    one.type(pain_helps="Rest")
    one.autosave()
    two.type(pain_worse="Stairs")
    body = two.body()
    del body["_loaded"]
    two.autosave(body)
    answers = _answers(intake)
    assert answers["pain_worse"] == "Stairs"
    assert answers.get("pain_helps") in (None, "")


def test_a_window_saving_its_own_answer_again_is_not_a_conflict(tabs, intake):
    one, _ = tabs
    one.type(pain_helps="Rest")
    one.autosave()
    one.type(pain_helps="Rest and ice")
    body = one.autosave().json()
    assert body["conflicts"] == {}
    assert _answers(intake)["pain_helps"] == "Rest and ice"


def test_both_windows_changing_one_answer_keep_both_values_for_the_patient(tabs, intake):
    one, two = tabs
    one.type(pain_helps="Rest")
    one.autosave()
    two.type(pain_helps="Cold air")
    body = two.autosave().json()

    # The later window's value is stored, the earlier one is kept and shown beside the field.
    assert _answers(intake)["pain_helps"] == "Cold air"
    note = body["conflicts"]["pain_helps"]
    assert "You changed this in another window" in note
    assert "Rest" in note and "Cold air" in note
    page = Window(_client(intake.patient), "pain").html
    assert "You changed this in another window" in page
    assert "Rest" in page and "Cold air" in page

    # The first window saving again (another answer typed) neither flips nor loses them.
    one.type(pain_worst="6")
    body = one.autosave().json()
    assert _answers(intake)["pain_helps"] == "Cold air"
    assert "Cold air" in body["conflicts"]["pain_helps"]


def test_save_and_continue_with_a_conflict_stays_on_the_step_until_one_is_chosen(tabs, intake):
    one, two = tabs
    one.type(pain_helps="Rest")
    one.autosave()
    two.type(pain_helps="Cold air")
    response = two.save_and_continue()
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose which answer to keep" in page
    assert 'href="#keep-pain_helps-mine"' in page and 'id="keep-pain_helps-mine"' in page

    two.reload()
    response = two.save_and_continue(two.body(action="next", **{"_keep-pain_helps": "other"}))
    assert response.status_code in (200, 302)
    assert _answers(intake)["pain_helps"] == "Rest"
    intake.refresh_from_db()
    assert "You changed this in another window" not in Window(two.client, "pain").html


def test_choosing_this_windows_answer_ends_the_conflict(tabs, intake):
    one, two = tabs
    one.type(pain_helps="Rest")
    one.autosave()
    two.type(pain_helps="Cold air")
    two.autosave()
    body = two.autosave(two.body(**{"_keep-pain_helps": "mine"})).json()
    assert body["conflicts"] == {}
    assert _answers(intake)["pain_helps"] == "Cold air"


def test_two_windows_adding_medicines_keep_the_list_a_window_did_not_touch(patient, intake):
    services.save_step(
        intake=intake, step="opioids", raw={}, valid_answers={"takes_opioids": "no"}, complete=True
    )
    one, two = Window(_client(patient), "opioids"), Window(_client(patient), "opioids")
    one.type(takes_opioids="yes", **_rows([OXYCODONE]))
    one.autosave()
    two.type(ort_family="alcohol")
    two.autosave()
    answers = _answers(intake)
    assert [row["drug"] for row in answers["opioids"]] == ["oxycodone"]
    assert answers["takes_opioids"] == "yes"
    assert answers["ort_family"] == ["alcohol"]
    assert answers["ort_1"] == "yes"  # the ORT-OUD item the checklist stands for


def test_two_windows_changing_the_medicine_list_keep_both_lists_for_the_patient(patient, intake):
    services.save_step(
        intake=intake, step="opioids", raw={}, valid_answers={"takes_opioids": "yes"}, complete=True
    )
    one, two = Window(_client(patient), "opioids"), Window(_client(patient), "opioids")
    one.type(**_rows([OXYCODONE]))
    one.autosave()
    two.type(**_rows([PATCH]))
    note = two.autosave().json()["conflicts"]["opioids"]
    assert [row["drug"] for row in _answers(intake)["opioids"]] == ["fentanyl_patch"]
    assert "Oxycodone" in note and "Fentanyl" in note


# ------------------------------------------------------------------ one window, in order


def test_an_older_autosave_arriving_after_save_and_continue_is_ignored(tabs, intake):
    one, _ = tabs
    one.type(pain_helps="Res")
    older = one.body()  # the autosave sent while the patient kept typing
    one.type(pain_helps="Rest and ice")
    response = one.save_and_continue()  # carries a later number
    assert response.status_code in (200, 302)

    late = one.autosave(older)
    assert late.status_code == 200
    assert late.json() == {"saved": False, "reason": "stale"}
    assert _answers(intake)["pain_helps"] == "Rest and ice"


def test_a_stale_save_and_continue_changes_nothing_and_shows_the_step(tabs, intake):
    one, _ = tabs
    one.type(pain_helps="Res")
    older = one.body(action="next")
    one.type(pain_helps="Rest and ice")
    one.autosave()
    response = one.save_and_continue(older)
    assert response.status_code == 302
    assert response.url == step_url("pain")
    assert _answers(intake)["pain_helps"] == "Rest and ice"


def test_the_page_remembers_only_the_last_pages_it_saw(patient, intake):
    client = _client(patient)
    for _ in range(25):
        window = Window(client, "pain")
        window.type(pain_helps=f"try {window.page_id}")
        window.autosave()
    intake.refresh_from_db()
    assert len(intake.drafts["_edits"]["seq"]) == 20


# ------------------------------------------------------------------ bounded drafts


def test_a_huge_autosave_does_not_store_megabytes(tabs, intake):
    one, _ = tabs
    extra = {f"junk{i}": "z" * 10_000 for i in range(5)}
    for letter in "wxyz":  # four autosaves of 2.4 MB each
        one.type(pain_helps=letter * 2_400_000)
        response = one.autosave({**one.body(), **extra})
        assert response.status_code == 200
    intake.refresh_from_db()
    stored = len(json.dumps(intake.drafts)) + len(json.dumps(intake.answers))
    assert stored < 20_000
    assert not any(k.startswith("junk") for k in intake.drafts["pain"])


def test_unknown_fields_are_not_stored_in_the_draft(alice_client, intake):
    alice_client.post(autosave_url("about"), {"city": "Springfield", "weight_lb": "2000", "x": "1"})
    intake.refresh_from_db()
    assert intake.drafts["about"] == {"city": ["Springfield"], "weight_lb": ["2000"]}


def test_too_long_text_gets_a_plain_message_and_the_typing_is_kept(alice_client, intake):
    typed = "Burning " * 300  # 2,400 characters; the question allows 2,000
    response = alice_client.post(step_url("pain"), post_data("pain", {**BASE, "pain_helps": typed}))
    page = html.unescape(response.content.decode())
    assert "please shorten it to 2000 characters or fewer" in page
    assert "Ensure this value" not in page
    assert typed.strip() in page
    intake.refresh_from_db()
    assert intake.drafts["pain"]["pain_helps"] == [typed]


@pytest.fixture
def alice_client(patient):
    return _client(patient)


# ------------------------------------------------------------------ at the same moment


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sessions_saving_one_step_at_the_same_moment_keep_every_answer(patient):
    intake = services.start_intake(patient=patient)
    fields = ("pain_helps", "pain_worse")
    errors = []
    for round_ in range(10):
        Intake.objects.filter(pk=intake.pk).update(answers={}, drafts={})
        windows = [Window(_client(patient), "pain") for _ in fields]
        bodies = []
        for window, key in zip(windows, fields, strict=True):
            window.type(**{key: f"{key} {round_}"})
            bodies.append(window.body())
        barrier = threading.Barrier(len(windows))

        def save(window, body, barrier=barrier):
            try:
                barrier.wait(timeout=30)
                assert window.autosave(body).json()["saved"] is True
                response = window.save_and_continue(window.body(action="next"))
                assert response.status_code in (200, 302)
            except BaseException as error:  # surfaced in the main thread below
                errors.append(error)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=save, args=pair) for pair in zip(windows, bodies, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        answers = _answers(intake)
        assert {key: answers.get(key) for key in fields} == {
            key: f"{key} {round_}" for key in fields
        }, f"round {round_}"


def test_submit_waits_until_the_patient_chooses_between_two_windows_answers(patient, clinic_admin):
    settings_services.publish_consent_text(title="Consent", body="Read me.", author=clinic_admin)
    intake = seed_intake(patient=patient, answers=BASE, submit=False)
    one, two = Window(_client(patient), "pain"), Window(_client(patient), "pain")
    one.type(pain_helps="Rest")
    one.autosave()
    two.type(pain_helps="Cold air")
    two.autosave()

    response = two.client.post(reverse("intake:review"), follow=True)
    page = response.content.decode()
    assert "Choose which to keep" in page
    assert f"{step_url('pain')}?return=review#keep-pain_helps-mine" in page
    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS

    two.autosave(two.body(**{"_keep-pain_helps": "mine"}))
    two.client.post(reverse("intake:review"))
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.answers["pain_helps"] == "Cold air"


# ------------------------------------------------------------------ the merge rules (pure)


PAIN = SECTION_BY_KEY["pain"]


def _merge(base, mine, theirs, *, state=None, page="page-one"):
    return drafts.merge(
        PAIN,
        state=state or drafts.EditState(),
        page=page,
        base=base,
        mine=mine,
        theirs=theirs,
        keep={},
    )


def test_merge_keeps_theirs_for_a_field_this_page_did_not_change():
    merged = _merge({"pain_helps": [""]}, {"pain_helps": [""]}, {"pain_helps": ["Rest"]})
    assert merged.data["pain_helps"] == ["Rest"]
    assert merged.conflicts == {}


def test_merge_does_not_count_line_endings_or_blank_medicine_rows_as_changes():
    opioids = SECTION_BY_KEY["opioids"]
    q = next(q for q in opioids.questions if q.key == "opioids")
    assert drafts.same(
        PAIN.questions[0], {"main_complaint": ["a\r\nb "]}, {"main_complaint": ["a\nb"]}
    )
    one_row = {"opioids-TOTAL_FORMS": ["1"], "opioids-0-drug": ["oxycodone"]}
    with_blank = {**one_row, "opioids-TOTAL_FORMS": ["2"], "opioids-1-drug": [""]}
    assert drafts.same(q, one_row, with_blank)
    removed = {**one_row, "opioids-0-DELETE": ["on"]}
    assert not drafts.same(q, one_row, removed)


def test_merge_of_a_conflict_stores_mine_and_keeps_theirs_open():
    state = drafts.EditState()
    merged = _merge({}, {"pain_helps": ["Cold air"]}, {"pain_helps": ["Rest"]}, state=state)
    assert merged.data["pain_helps"] == ["Cold air"]
    assert merged.conflicts == {"pain_helps": {"pain_helps": ["Rest"]}}
    assert state.by == {"pain": {"pain_helps": "page-one"}}


def test_a_bounded_post_drops_unknown_names_and_cuts_long_values():
    kept = drafts.bounded(
        PAIN, {"pain_helps": ["x" * 10**6], "nope": ["1"], "pain_worst": ["7", "8"]}
    )
    assert set(kept) == {"pain_helps", "pain_worst"}
    assert len(kept["pain_helps"][0]) == drafts.kept_chars(2000)
    assert kept["pain_worst"] == ["7"]


def test_a_page_save_locks_and_reads_the_intake_once(patient, intake):
    from django.test.utils import CaptureQueriesContext

    window = Window(_client(patient), "pain")
    window.type(main_complaint="Lower back")
    with CaptureQueriesContext(connection) as queries:
        assert window.autosave().json()["saved"] is True
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "intake_intake"' in q["sql"]]
    # The save finds the open intake and locks it in one read (FOR UPDATE on PostgreSQL),
    # then merges, validates and writes on that one locked row, without reading it again.
    assert len(reads) == 1, reads
    assert _answers(intake)["main_complaint"] == "Lower back"
