import gc
import weakref

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render

from clinic.core.pages import render_large


class _Value:
    def __str__(self) -> str:
        return "a value · drawn"


def test_render_large_lets_the_pages_values_go_without_the_collector(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    value = _Value()
    gone = weakref.ref(value)
    gc.disable()
    try:
        render_large(request, "includes/footer.html", {"value": value})
        del value
        assert gone() is None  # freed by reference counting: no cycle kept it
    finally:
        gc.enable()


def test_render_large_gives_the_response_render_gives(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    context = {"value": _Value()}
    made = render_large(request, "includes/footer.html", context)
    expected = render(request, "includes/footer.html", context)
    assert made.content == expected.content
    assert made["Content-Type"] == expected["Content-Type"]
    assert made.status_code == expected.status_code
