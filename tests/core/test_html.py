from django.utils.html import escape
from django.utils.safestring import mark_safe

from clinic.core.html import e


def test_e_escapes_as_django_escape_does():
    text = '<b>O\'Neil & "Sons"</b>'
    assert e(text) == str(escape(text))


def test_e_leaves_html_already_marked_safe_as_it_is():
    assert e(mark_safe("<i>x</i> &amp;")) == "<i>x</i> &amp;"


def test_e_writes_numbers_and_other_values_as_text():
    assert e(42) == "42"
    assert e(None) == "None"


def test_e_returns_a_plain_str_not_a_safe_string():
    assert type(e("a")) is str
