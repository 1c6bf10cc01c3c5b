"""intake.review_page reads in one go what the review page's parts read one by one, and
only what the reader may see."""

import pytest
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import reverse

from clinic.accounts.roles import Role
from intake import demo, review_page
from intake.checklist_services import record_checklist
from intake.models import Intake, IntakeEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CARDIAC = {"high_blood_pressure": "yes", "bp_controlled": "yes"}


@pytest.fixture
def intake(patient, clinician):
    intake = demo.seed_intake(patient=patient, answers={**demo.BASE, **CARDIAC}, submit=True)
    record_checklist(intake=intake, code="baseline_ecg", to_status="requested", actor=clinician)
    IntakeEvent.objects.create(intake=intake, actor=clinician, kind=IntakeEvent.Kind.NOTE, text="n")
    Intake.objects.create(patient=patient, status=Intake.Status.DECLINED)
    return intake


def test_each_part_is_what_the_orm_reads(intake, clinician, django_assert_num_queries):
    events = list(intake.events.select_related("actor"))
    flags = list(intake.flags.all())
    items = list(intake.checklist.prefetch_related("events__actor"))
    moves = [list(item.events.all()) for item in items]
    page = review_page.load(intake.pk, clinician)
    with django_assert_num_queries(0):
        assert page.intake == intake and page.intake.patient == intake.patient
        assert list(page.intake.events.all()) == events
        assert [e.actor for e in page.intake.events.all()] == [e.actor for e in events]
        assert list(page.intake.flags.all()) == flags == page.flags and flags
        assert page.checklist == items and items
        assert [list(item.events.all()) for item in page.checklist] == moves
        for item in page.checklist:
            assert [e.actor for e in item.events.all()] == [clinician]
            assert item.intake is page.intake
        assert page.intake.assigned_to == intake.assigned_to
    assert page.previous == list(
        Intake.objects.filter(patient=intake.patient).exclude(pk=intake.pk)
    )
    assert page.clinicians == [clinician]


@pytest.mark.parametrize(
    ("role", "clinical", "reviewer", "viewers"),
    [
        ("clinician", True, True, True),
        ("coordinator", False, False, False),
        ("clinic_admin", False, False, True),
    ],
)
def test_a_reader_gets_only_what_the_page_shows_them(
    people, intake, role, clinical, reviewer, viewers
):
    page = review_page.load(intake.pk, people[role])
    assert (page.clinical, page.reviewer) == (clinical, reviewer)
    assert bool(page.flags) is clinical and bool(page.checklist) is clinical
    assert (page.viewers is not None) is viewers
    assert bool(page.clinicians) is reviewer


def test_a_missing_intake_is_404(clinician):
    with pytest.raises(Http404):
        review_page.load(987654, clinician)


def test_the_clinician_list_follows_the_group_made_again(login, clinician, intake):
    client = login(clinician)
    url = reverse("staff:intake", args=[intake.pk])
    assert "Morgan Lee</option>" in client.get(url).content.decode()
    # The group's id is kept from the request before; a group made again has a new one.
    Group.objects.filter(name=Role.CLINICIAN.value).update(name="old")
    group = Group.objects.create(name=Role.CLINICIAN.value)
    other = make_user("new-dr@example.com", Role.CLINICIAN)
    assert other.groups.filter(pk=group.pk).exists()
    html = client.get(url).content.decode()
    choices = html.split('id="id_assign-clinician"', 1)[1].split("</select>", 1)[0]
    assert f'value="{other.pk}"' in choices and f'value="{clinician.pk}"' not in choices


def test_review_urls_are_what_reverse_gives(intake, clinician):
    from django.urls import reverse, set_script_prefix

    from intake.templatetags.review_parts import url

    flag = intake.flags.first()
    cases = [
        ("staff:dashboard", ()),
        ("staff:intake", (intake.pk,)),
        ("staff:intake_action", (intake.pk, "start_review")),
        ("staff:checklist", (intake.pk, "baseline_ecg")),
        ("staff:clear_flag", (intake.pk, flag.pk)),
        ("staff:clear_flag", (12, 3456)),
    ]
    try:
        for prefix in ("/", "/clinic/"):
            set_script_prefix(prefix)
            for name, args in cases:
                assert url(name, *args) == reverse(name, args=args), (prefix, name)
    finally:
        set_script_prefix("/")


def test_the_kept_action_forms_are_the_forms_drawn_afresh(intake, clinician):
    from clinic.core import rendered
    from intake import staff_forms, staff_views

    page = review_page.load(intake.pk, clinician)
    for assigned in (None, clinician):
        page.intake.assigned_to = assigned
        html = staff_views._action_forms(page, {})
        assign = staff_forms.AssignForm(prefix="assign", initial={"clinician": assigned})
        assert html["assign"] == rendered.crispy_form(assign)
        assert ("selected>Morgan Lee" in html["assign"]) is (assigned is not None)
    decline = staff_forms.DeclineForm(prefix="decline")
    assert html["decline"] == rendered.crispy_form(decline)
    assert html["note"] == rendered.crispy_form(staff_forms.NoteForm(prefix="note"))
    posted = staff_forms.NoteForm({"note-text": "<b>typed</b>"}, prefix="note")
    assert "&lt;b&gt;typed" in staff_views._action_forms(page, {"note": posted})["note"]


def test_a_choice_label_is_the_first_choice_s_with_that_value():
    from intake.questionnaire.schema import Choice, Question

    q = Question(
        "k", "K", "choice", (Choice("a", "First"), Choice("a", "Second"), Choice("b", "B"))
    )
    assert q.choice_label("a") == "First" and q.choice_label("b") == "B"
    assert q.choice_label("zzz") == "zzz" and q.choice_label(["a"]) == ["a"]
