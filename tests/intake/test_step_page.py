"""intake.step_page: the step page's questions and step list, written in Python, escaped."""

import pytest

from intake import services, step_page, steps
from intake.forms import form_class
from intake.questionnaire import Question, Section, ShowIf
from tests.intake.helpers import post_data, step_url

pytestmark = pytest.mark.django_db

HOSTILE = "<script>x</script>"
ESCAPED = "&lt;script&gt;x&lt;/script&gt;"


def test_typed_text_shown_back_on_the_step_is_escaped(login, patient):
    services.start_intake(patient=patient)
    client = login(patient)
    data = post_data("pain", {"main_complaint": HOSTILE, "pain_started": HOSTILE})
    client.post(step_url("pain"), data)  # invalid month: kept as a draft, shown back
    html = client.get(step_url("pain")).content.decode()
    assert HOSTILE not in html
    assert ESCAPED in html


def test_every_word_of_the_questionnaire_is_escaped_too():
    section = Section(
        "hostile",
        HOSTILE,
        questions=(
            Question("a", HOSTILE, "text", group=HOSTILE),
            Question("b", HOSTILE, "yesno", group=HOSTILE, show_if=ShowIf("a", "eq", HOSTILE)),
        ),
    )
    html = step_page.questions(form_class(section)(answers={}), step_key="pain")
    assert "<script" not in html
    assert f'<legend class="h6 fw-semibold">{ESCAPED}</legend>' in html
    assert 'data-show-if="[{&quot;key&quot;: &quot;a&quot;' in html  # the JSON, escaped
    step = steps.Step("hostile", HOSTILE, 1, section)
    nav = step_page.steps_nav(
        steps=[step, steps.ALL_STEPS[0]], current="x", visited=["hostile"], complete={"hostile"}
    )
    assert "<script" not in nav
    assert f">{ESCAPED}</a>" in nav
