"""The queue's rows, written in Python (intake/tables.py): every value escaped, each role's
columns, the open stop flags counted with or without sorting by them, and the filter panel's
selects drawn from fixed choices."""

import re

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.utils import timezone

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.core import rendered
from intake import filters
from intake.models import Intake, IntakeFlag
from intake.screening import Triage
from intake.tables import _Links
from tests.conftest import make_user

S = Intake.Status
pytestmark = pytest.mark.django_db
HOSTILE = "<script>x</script>"


def _intake(email, first="Pat", last="Smith", **fields) -> Intake:
    patient = User.objects.create(email=email, first_name=first, last_name=last)
    defaults = {
        "status": S.SUBMITTED,
        "questionnaire_version": "t",
        "triage": Triage.REVIEW,
        "answers": {},
        "submitted_at": "2026-11-01T10:00Z",
    }
    return Intake.objects.create(patient=patient, **{**defaults, **fields})


def _flag(intake, code, severity="stop", cleared=False):
    IntakeFlag.objects.create(
        intake=intake,
        code=code,
        title="t",
        severity=severity,
        source="s",
        message="m",
        cleared_at=timezone.now() if cleared else None,
    )


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:]]


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_hostile_values_come_out_escaped_in_every_cell(login, people, role):
    nurse = make_user("nurse@example.com", Role.CLINICIAN, HOSTILE, "O'Neil & Co")
    _intake(
        "p<b>@example.com",
        first=HOSTILE,
        last='"quoted"',
        phone=HOSTILE,
        mme_band="<u>&'\"</u>",  # ten characters, the column's width
        phq9_band=HOSTILE,
        assigned_to=nurse,
    )
    html = login(people[role]).get("/staff/?status=").content.decode()
    assert HOSTILE not in html and "<b>" not in html
    (row,) = _rows(html)
    assert "&lt;script&gt;x&lt;/script&gt; &quot;quoted&quot;</a>" in "".join(row)
    assert "p&lt;b&gt;@example.com" in row
    assert "&lt;script&gt;x&lt;/script&gt; O&#x27;Neil &amp; Co" in row
    # Name, phone and clinician; and for clinicians the bands too.
    shown = "".join(row).count("&lt;script&gt;x&lt;/script&gt;")
    assert shown == (4 if role == "clinician" else 3)
    assert ("&lt;u&gt;&amp;&#x27;&quot;&lt;/u&gt;" in row) is (role == "clinician")
    assert "<u>" not in html


def test_a_row_shows_what_the_template_showed(login, clinician):
    intake = _intake(
        "pat@example.com",
        phone="4132847719",
        mme_band="<50",
        resubmitted_at=timezone.now(),
        assigned_to=clinician,
        submitted_at="2026-03-08T04:30Z",  # 23:30 on March 7 in New York
    )
    empty = _intake("e@example.com", triage="", submitted_at=None, status=S.IN_PROGRESS)
    rows = _rows(login(clinician).get("/staff/?status=&sort=patient").content.decode())
    assert rows[0] == [
        '<span class="badge triage-badge text-bg-warning"><i class="bi '
        'bi-exclamation-triangle-fill" aria-hidden="true"></i> Caution</span>',
        f'<a href="/staff/intakes/{intake.pk}/">Pat Smith</a>',
        "pat@example.com",
        "(413) 284-7719",
        'Submitted <span class="badge text-bg-info resubmitted"><i class="bi bi-arrow-repeat"'
        ' aria-hidden="true"></i> Resubmitted</span>',
        "Mar 7, 2026",
        "Morgan Lee",
        "0",
        "&lt;50",
        "—",
    ]
    assert rows[1] == [
        '<span class="text-body-secondary">Not screened</span>',
        f'<a href="/staff/intakes/{empty.pk}/">Pat Smith</a>',
        "e@example.com",
        "",
        "In progress",
        "—",
        "—",
        "0",
        "—",
        "—",
    ]


def test_people_are_named_as_their_str_says_the_email_when_they_have_no_name(login, clinician):
    nameless = make_user("nameless@example.com", Role.CLINICIAN, "", "")
    first_only = _intake("pat@example.com", first="Pat", last="", assigned_to=nameless)
    no_name = _intake("nobody@example.com", first="", last="")
    rows = _rows(login(clinician).get("/staff/?status=&sort=email").content.decode())
    for intake, row in zip((no_name, first_only), rows, strict=True):
        assert row[1] == f'<a href="/staff/intakes/{intake.pk}/">{intake.patient}</a>'
    assert [row[1].split(">")[1][:-3] for row in rows] == ["nobody@example.com", "Pat"]
    assert [row[6] for row in rows] == ["—", "nameless@example.com"]


def test_coordinators_rows_have_no_clinical_cells(login, coordinator):
    intake = _intake("pat@example.com", mme_band="high", phq9_band="severe")
    _flag(intake, "mme_90")
    html = login(coordinator).get("/staff/?status=").content.decode()
    (row,) = _rows(html)
    assert len(row) == 6 and row[0].startswith("<a href=")
    for clinical in ("triage-badge", "Caution", "high", "severe", "Open stop flags"):
        assert clinical not in html, clinical


@pytest.mark.parametrize("sort", ["", "open_stop_count", "-open_stop_count", "patient"])
def test_open_stop_flags_are_counted_however_the_queue_is_sorted(login, clinician, sort):
    two = _intake("two@example.com", last="Two")
    _flag(two, "a")
    _flag(two, "b")
    _flag(two, "c", cleared=True)  # cleared: not open
    _flag(two, "d", severity="caution")  # not a stop
    one = _intake("one@example.com", last="One")
    _flag(one, "a")
    _intake("none@example.com", last="None")
    html = login(clinician).get(f"/staff/?status=&sort={sort}").content.decode()
    counts = {row[2]: row[7] for row in _rows(html)}
    assert counts == {"two@example.com": "2", "one@example.com": "1", "none@example.com": "0"}
    if sort.endswith("open_stop_count"):
        emails = [row[2] for row in _rows(html)]
        expected = ["none@example.com", "one@example.com", "two@example.com"]
        assert emails == (expected if sort == "open_stop_count" else expected[::-1])


def test_an_empty_queue_says_so(login, clinician):
    html = login(clinician).get("/staff/?q=nobody").content.decode()
    assert '<tr><td colspan="10">No intakes match these filters.</td></tr>' in html


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_each_filter_select_offers_its_empty_choice_once(login, people, role):
    make_user("nurse@example.com", Role.CLINICIAN, "Nina", "Nurse")
    client = login(people[role])
    queries = ("", "?status=approved&assigned_to=null", "?status=&flag=mme_50", "?flag=nope")
    for query in (*queries, "?triage=red&assigned_to=0&status=nope"):
        html = client.get(f"/staff/{query}").content.decode()
        selects = re.findall(r'<select name="(\w+)".*?</select>', html, re.S)
        assert "status" in selects and "assigned_to" in selects
        for select in re.findall(r"<select .*?</select>", html, re.S):
            assert (
                select.count('<option value="">') + select.count('<option value="" selected>') == 1
            ), select[:200]
    assert ">Nina Nurse</option>" in html and ">Morgan Lee</option>" in html


@pytest.mark.parametrize("kept", [None, "coordinator", 987_654])
def test_the_clinician_filter_lists_the_clinicians_whatever_group_id_was_kept(
    login, people, kept, monkeypatch
):
    # The group's id is kept per process; a group made anew (a new id) or another group
    # with the old id must not leave the list empty or wrong.
    make_user("nurse@example.com", Role.CLINICIAN, "Nina", "Nurse")
    if kept == "coordinator":  # another group's id
        kept = Group.objects.get(name=Role.COORDINATOR.value).pk
    monkeypatch.setattr(filters, "_clinician_group", [kept])
    html = login(people["coordinator"]).get("/staff/").content.decode()
    (select,) = re.findall(r'<select name="assigned_to".*?</select>', html, re.S)
    names = re.findall(r'<option value="\d+">(.*?)</option>', select)
    assert names == [str(u) for u in User.objects.members_of(Role.CLINICIAN)]
    assert names == ["Morgan Lee", "Nina Nurse"]


def test_a_clinician_chosen_in_the_filter_is_shown_selected(login, clinician):
    html = login(clinician).get(f"/staff/?status=&assigned_to={clinician.pk}").content.decode()
    assert f'<option value="{clinician.pk}" selected>Morgan Lee</option>' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=approved",
        "page=3&q=O%27Neil+%26+%3Cb%3E&status=",
        "sort=x&a=1&a=2&page=2",
        "ü=é",
    ],
)
@pytest.mark.parametrize("changes", [{"page": 4}, {"sort": "-patient", "page": 1}])
def test_page_links_are_the_urls_a_querydict_would_make(query, changes):
    params = QueryDict(query)
    expected = params.copy()
    for key, value in changes.items():
        expected[key] = value
    assert _Links(params).url(**changes) == "?" + expected.urlencode()


def test_a_search_is_never_kept_in_the_rendered_field_caches(login, clinician):
    client = login(clinician)
    html = client.get("/staff/?q=Zebedee+Quartermaine&submitted_after=2026-01-02").content
    assert b'value="Zebedee Quartermaine"' in html
    kept = repr(list(filters._RENDERED.items())) + repr(list(rendered._FIELDS.items()))
    assert "Zebedee" not in kept and "2026-01-02" not in kept
    # The empty panel is kept, and drawn the same from the cache.
    assert client.get("/staff/").content.count(b"<select ") == 7


def test_each_filterset_filters_with_filters_of_its_own():
    # The filters are copied lightly (not their widgets and choices): each FilterSet's must
    # still be its own, their methods found on it, not on the FilterSet copied first.
    first = filters.IntakeFilter(QueryDict("q=smith"), queryset=Intake.objects.all())
    second = filters.IntakeFilter(QueryDict("status=approved"), queryset=Intake.objects.all())
    for name, mine in first.filters.items():
        theirs = second.filters[name]
        assert mine is not theirs and mine is not filters.IntakeFilter.base_filters[name]
        assert mine.parent is first and theirs.parent is second
        if mine.method:
            assert mine.filter.f is mine and theirs.filter.f is theirs
    assert "smith" in str(first.qs.query).lower() and "approved" in str(second.qs.query)
