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


def test_utf8_gives_the_bytes_encode_gives():
    from clinic.core.html import _CHUNK, utf8

    ascii_page = "<p>plain</p>" * 2000
    samples = [
        "",
        "short · text",
        ascii_page,
        f"<title>Week · Clinic</title>{ascii_page}<footer>Phone · mail</footer>",
        # Characters of two, three and four bytes, some where one slice ends and the next
        # begins.
        "é" * (_CHUNK - 1) + "€🙂" + "x" * _CHUNK * 3 + "Ω",
        "🙂" * (_CHUNK * 3 + 5),
    ]
    for text in samples:
        assert utf8(text) == text.encode()
