"""Fields and forms kept per process (clinic.core.rendered) render exactly as crispy does,
on a miss and on a hit, and nothing typed is ever kept."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.core import rendered
from intake import demo
from intake.forms import form_class, form_data, page_values, stored_form
from intake.questionnaire import SECTIONS
from intake.staff_forms import AssignForm, DeclineForm, NoteForm, ReferForm, RequestInfoForm
from tests.intake.helpers import post_data


@pytest.fixture(autouse=True)
def _empty_caches():
    rendered._FIELDS.clear()
    rendered._FORMS.clear()
    yield
    rendered._FIELDS.clear()
    rendered._FORMS.clear()


def _forms(section):
    """The step's form as a page shows it: empty, with the demo answers, posted (valid),
    posted with every field blank (errors) and posted with a typed nonsense value."""
    values = page_values(form_class(section)(answers=demo.BASE))
    posted = post_data(section.key, demo.BASE, action="")
    blank = {name: [""] for name in values}
    nonsense = {name: ["zz-not-a-choice"] for name in values}
    yield stored_form(section, answers={}, drafts={})
    yield stored_form(section, answers=demo.BASE, drafts={})
    for data in (posted, blank, nonsense):
        drafts = {section.key: {k: v if isinstance(v, list) else [v] for k, v in data.items()}}
        yield stored_form(section, answers=demo.BASE, drafts=drafts)


def _bound_fields(form):
    yield from form
    for formset in form.formsets.values():
        for row in formset.forms:
            yield from row


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_every_intake_field_renders_as_crispy_renders_it_from_the_cache_too(section):
    for make in range(2):  # the second pass is served from the cache
        for form in _forms(section):
            # Fresh fields for each render: crispy adds classes to the widget it renders.
            fresh = [as_crispy_field(b) for b in _bound_fields(form)]
            again = type(form)(form.data if form.is_bound else None, answers=form.answers)
            if form.is_bound:
                again.is_valid()
                again.quiet_missing()
            cached = [rendered.crispy_field(b) for b in _bound_fields(again)]
            assert cached == fresh, (section.key, make)
    assert rendered._FIELDS, "choice and empty fields are kept"


@pytest.mark.parametrize(
    "typed", ["my private words", 'a <b>"quoted"</b> & more', "\n\nstarts with new lines"]
)
def test_typed_text_is_put_in_a_kept_field_but_never_kept(typed):
    section = next(s for s in SECTIONS if s.key == "pain")

    def bound():
        form = form_class(section)(form_data({"main_complaint": [typed]}), answers={})
        form.is_valid()
        return form["main_complaint"]

    fresh = as_crispy_field(bound())
    assert rendered.crispy_field(bound()) == fresh  # a miss: drawn with a hole, then filled
    assert rendered.crispy_field(bound()) == fresh  # a hit
    other = form_class(section)(form_data({"main_complaint": ["else"]}), answers={})
    other.is_valid()
    assert rendered.crispy_field(other["main_complaint"]) == as_crispy_field(
        form_class(section)(form_data({"main_complaint": ["else"]}), answers={})["main_complaint"]
    )
    assert any(("typed",) in key for key in rendered._FIELDS)
    for key, html in rendered._FIELDS.items():
        assert typed not in str(key) and "private" not in html and "quoted" not in html


def test_a_value_outside_the_choices_is_rendered_afresh_not_kept():
    section = next(s for s in SECTIONS if s.key == "pain")
    form = form_class(section)(form_data({"pain_worst": ["secret"]}), answers={})
    form.is_valid()
    assert rendered.crispy_field(form["pain_worst"]) == as_crispy_field(form["pain_worst"])
    assert not any("secret" in str(key) for key in rendered._FIELDS)


@pytest.mark.django_db
def test_the_review_pages_action_forms_render_as_crispy_renders_them(clinician):
    for cls, kwargs in (
        (AssignForm, {"initial": {"clinician": clinician}}),
        (AssignForm, {}),
        (RequestInfoForm, {}),
        (DeclineForm, {}),
        (ReferForm, {}),
        (NoteForm, {}),
    ):
        for _ in range(2):
            fresh = as_crispy_form(cls(prefix="p", **kwargs))
            assert rendered.crispy_form(cls(prefix="p", **kwargs)) == fresh, cls
    assert rendered._FORMS


@pytest.mark.django_db
def test_a_bound_action_form_with_a_note_is_rendered_afresh():
    form = NoteForm({"n-text": "the patient's private story"}, prefix="n")
    assert "the patient&#x27;s private story" in rendered.crispy_form(form)
    assert not rendered._FORMS


@pytest.mark.django_db
@pytest.mark.parametrize("cls", [AssignForm, DeclineForm], ids=lambda c: c.__name__)
def test_a_model_choice_form_makes_the_same_queries_from_the_cache_as_without(cls, clinician):
    counts = []
    for _ in range(2):  # a miss, then a hit
        with CaptureQueriesContext(connection) as queries:
            rendered.crispy_form(cls(prefix="p"))
        counts.append(len(queries))
    assert rendered._FORMS
    assert counts[0] == counts[1]
    # The choices are read once a render (no COUNT first, no second read to render).
    assert sum("COUNT(" in q["sql"] for q in queries.captured_queries) == 0


def test_the_body_map_from_the_cache_is_the_body_map_as_drawn():
    from django.template.loader import render_to_string

    section = next(s for s in SECTIONS if s.key == "pain")
    for _ in range(2):  # a miss, then a hit
        for form in _forms(section):
            fresh = render_to_string("intake/_body_map.html", {"field": form["pain_regions"]})
            again = type(form)(form.data if form.is_bound else None, answers=form.answers)
            if form.is_bound:
                again.is_valid()
                again.quiet_missing()
            assert rendered.field_template(again["pain_regions"], "intake/_body_map.html") == fresh
    assert any(key[0] == "intake/_body_map.html" for key in rendered._FIELDS)
