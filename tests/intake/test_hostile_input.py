"""Random and hostile input to every step and to autosave never produces a server error.

The test client re-raises any exception a view lets escape, so a 500 fails the test with its
traceback. Each example starts from a known intake state (empty or fully answered), posts,
autosaves, then opens the step again so the stored draft is rendered back too.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import services, settings_services
from intake.demo import BASE, seed_intake
from intake.models import Intake
from intake.questionnaire import SECTIONS, Section
from tests.intake.helpers import autosave_url, post_data, step_url

pytestmark = pytest.mark.django_db

HOSTILE_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    # The patient and intake come from function-scoped fixtures; every example resets the
    # intake itself, so sharing them between examples is deliberate.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = (
    "",
    " ",
    "0",
    "-1",
    "11",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-0",
    "9" * 4301,
    "0.000000001",
    "1,5",
    "2999-12-31",
    "0000-00-00",
    "1899-12-31",
    "2021-13",
    "2021-02-30",
    "yes",
    "no",
    "on",
    "true",
    "other",
    "fentanyl_patch",
    "none",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "\ud7ff\ue000",
    "١٢٣",
    "+1 202 555 0143",
    "+999999",
    "  42  ",
    "\n\t",
    "%00",
    "{}",
    "[]",
    "null",
    "x" * 2001,
)


def field_names(section: Section) -> list[str]:
    """Every name the step's form reads, including formset management and row fields."""
    names = []
    for q in section.questions:
        if q.type != "repeat":
            names.append(q.key)
            continue
        names += [
            f"{q.key}-{m}"
            for m in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        ]
        for i in range(3):
            names += [f"{q.key}-{i}-{f.key}" for f in q.fields] + [f"{q.key}-{i}-DELETE"]
    # What a page sends besides its fields: its id, save number, starting point, choices.
    names += ["_page", "_seq", "_loaded", *(f"_keep-{q.key}" for q in section.questions[:3])]
    return names


def plausible_values(section: Section) -> list[str]:
    """Values that are valid somewhere on the step, so examples also reach deep branches."""
    values = {"on"}
    for q in section.questions:
        for sub in (q, *q.fields):
            values.update(c.value for c in sub.choices)
            values.update(str(v) for v in (sub.min_value, sub.max_value, sub.example) if v)
    return sorted(values)


def hostile_post(section: Section):
    value = st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(plausible_values(section)),
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.sampled_from(["mine", "other", "page-id-1", '{"pain_helps": ["x"]}', '{"a": 1}']),
        st.dictionaries(
            st.sampled_from(field_names(section)), st.lists(st.text(max_size=5), max_size=2)
        ).map(json.dumps),
    )
    names = st.one_of(st.sampled_from(field_names(section)), st.text(max_size=20))
    return st.tuples(
        st.dictionaries(names, st.lists(value, min_size=1, max_size=3), max_size=25),
        st.sampled_from(["next", "back", "goto", "", "delete everything"]),
        st.one_of(st.sampled_from(["review", "about", "mood", "../admin"]), st.text(max_size=10)),
        st.booleans(),
    )


def _reset(intake: Intake, answered: bool) -> None:
    Intake.objects.filter(pk=intake.pk).update(
        status=Intake.Status.IN_PROGRESS,
        answers=dict(BASE) if answered else {},
        drafts={},
        current_step="about",
    )


def _client(patient) -> Client:
    client = Client()
    client.force_login(patient, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("section", SECTIONS, ids=[s.key for s in SECTIONS])
def test_hostile_posts_to_a_step_and_its_autosave_never_error(patient, section):
    intake = services.start_intake(patient=patient)
    client = _client(patient)

    @HOSTILE_SETTINGS
    @given(hostile_post(section))
    def check(example):
        data, action, goto, answered = example
        _reset(intake, answered)
        response = client.post(step_url(section.key), {**data, "action": action, "goto": goto})
        assert response.status_code in (200, 302)

        response = client.post(autosave_url(section.key), data)
        assert response.status_code == 200
        # The same page id and number as the step's POST just now is an old save: ignored.
        assert response.json()["saved"] is True or response.json()["reason"] == "stale"

        assert client.get(step_url(section.key)).status_code == 200
        assert client.get(reverse("intake:review")).status_code == 200
        intake.refresh_from_db()
        assert intake.status == Intake.Status.IN_PROGRESS

    check()


@pytest.mark.parametrize("key", ["about", "opioids", "mood"])
def test_raw_garbage_bodies_never_error(patient, key):
    services.start_intake(patient=patient)
    client = _client(patient)

    @HOSTILE_SETTINGS
    @given(
        st.binary(max_size=300),
        st.sampled_from(
            ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]
        ),
    )
    def check(body, content_type):
        for url in (step_url(key), autosave_url(key)):
            response = client.generic("POST", url, body, content_type=content_type)
            assert response.status_code < 500

    check()


def test_posts_for_an_intake_that_is_not_editable_never_error(patient, clinic_admin):
    settings_services.publish_consent_text(title="Consent", body="Text", author=clinic_admin)
    seed_intake(patient=patient, answers=BASE, submit=True)
    client = _client(patient)
    for section in SECTIONS:
        data = post_data(section.key, BASE)
        assert client.post(step_url(section.key), data).url == reverse("intake:portal")
        assert client.post(autosave_url(section.key), data).status_code == 409
