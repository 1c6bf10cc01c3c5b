"""What every request is cleaned of before a view sees it, and where a form may send the user."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.core.middleware import StripNulMiddleware
from clinic.core.redirects import safe_next
from intake import demo


@pytest.fixture
def alert(other_patient):
    intake = demo.seed_intake(patient=other_patient, answers=demo.FIBROMYALGIA, submit=True)
    return intake.alerts.get()


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "",
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "staff:dashboard",
        "/\\evil.example",
        "\x00",
        "x" * 5000,
    ],
)
@pytest.mark.django_db
def test_acknowledging_an_alert_with_an_odd_next_goes_back_to_the_intake(
    login, clinician, alert, value
):
    response = login(clinician).post(
        reverse("staff:alert_ack", args=[alert.pk]),
        {f"alert{alert.pk}-action_taken": "Called, safe", "next": value},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:intake", args=[alert.intake_id])


@pytest.mark.django_db
def test_acknowledging_an_alert_returns_to_the_page_it_was_on(login, clinician, alert):
    response = login(clinician).post(
        reverse("staff:alert_ack", args=[alert.pk]),
        {f"alert{alert.pk}-action_taken": "Called, safe", "next": "/staff/?status=submitted"},
    )
    assert response["Location"] == "/staff/?status=submitted"


def test_safe_next_keeps_local_paths_only():
    rf = RequestFactory()
    assert safe_next(rf.post("/", {"next": "/schedule/"}), "/d/") == "/schedule/"
    assert safe_next(rf.get("/", {"next": "/schedule/?a=1#x"}), "/d/") == "/schedule/?a=1#x"
    for bad in ("NaN", "http://testserver/x", "https://evil.example/", "//evil", "../x"):
        assert safe_next(rf.post("/", {"next": bad}), "/d/") == "/d/", bad


@pytest.mark.parametrize("q", ["\x00", "ali\x00ce", "%00"])
@pytest.mark.django_db
def test_a_nul_in_the_patient_search_is_ignored_not_a_server_error(login, coordinator, patient, q):
    response = login(coordinator).get(reverse("schedule:patients"), {"q": q})
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_nul_in_a_raw_query_string_never_reaches_a_view(login, coordinator, patient):
    client = login(coordinator)
    for url in ("/schedule/patients/?q=%00", "/staff/?q=%00&status=%00", "/messages/?q=a%00b"):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_middleware_strips_nul_from_query_form_body_and_cookies():
    seen = {}

    def view(request):
        seen.update(get=request.GET.lists(), post=request.POST.lists(), cookies=request.COOKIES)
        return None

    rf = RequestFactory()
    request = rf.post("/x/?q=a%00b&k%00ey=v", {"name": ["x\x00y", "z"], "n\x00": "1"})
    request.COOKIES["sessionid"] = "abc\x00def"
    StripNulMiddleware(view)(request)
    assert list(seen["get"]) == [("q", ["ab"]), ("key", ["v"])]
    assert list(seen["post"]) == [("name", ["xy", "z"]), ("n", ["1"])]
    assert seen["cookies"]["sessionid"] == "abcdef"


def test_a_json_body_is_left_for_the_view_to_read():
    def view(request):
        return request.body

    request = RequestFactory().post("/x/", b'{"a": "\\u0000"}', content_type="application/json")
    assert StripNulMiddleware(view)(request) == b'{"a": "\\u0000"}'


@pytest.mark.django_db
def test_invalid_utf8_in_a_query_string_or_body_is_not_a_server_error(login, coordinator):
    client = login(coordinator)
    client.raise_request_exception = False
    assert client.get("/schedule/patients/?q=%ff%fe%c3").status_code == 200
    response = client.generic(
        "POST",
        reverse("schedule:overrides"),
        b"note=%ff%c3&kind=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_anonymous_client_is_not_broken_by_nul_cookies():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 10 + "\x00"
    client.cookies["csrftoken"] = "\x00"
    assert client.get(reverse("landing")).status_code == 200
