"""The staff dashboard, review page and actions, tried by every role."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.accounts.models import User
from intake import demo
from intake.models import DeclineTemplate, Intake, ScreeningPolicy
from intake.screening import Triage
from tests.words import says

S = Intake.Status


@pytest.fixture
def alice_intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


@pytest.fixture
def urgent_intake(other_patient):
    return demo.seed_intake(patient=other_patient, answers=demo.FIBROMYALGIA, submit=True)


def _bulk_intakes(n: int, start: int = 0) -> None:
    """n submitted intakes with flags, made without the services (fast)."""
    from intake.models import IntakeFlag

    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.com") for i in range(start, start + n)
    )
    intakes = Intake.objects.bulk_create(
        Intake(
            patient=u,
            status=S.SUBMITTED,
            questionnaire_version="t",
            triage=Triage.REVIEW,
            answers={},
            submitted_at="2026-11-01T10:00Z",
        )
        for u in users
    )
    IntakeFlag.objects.bulk_create(
        IntakeFlag(intake=i, code="mme_50", title="t", severity="stop", source="s", message="m")
        for i in intakes
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _queue_queries(client, url) -> int:
    client.get(url)  # what is looked up once a process (the clinicians' group) looked up
    return _queries(client, url)


@pytest.mark.parametrize("per_page", [10, 100])
def test_dashboard_query_count_does_not_grow_with_rows(login, clinician, per_page):
    client = login(clinician)
    _bulk_intakes(10)
    small = _queue_queries(client, f"/staff/?status=submitted&per_page={per_page}")
    _bulk_intakes(140, start=10)
    large = _queue_queries(client, f"/staff/?status=submitted&per_page={per_page}")
    assert small == large


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
@pytest.mark.parametrize(
    "query",
    ["", "?q=bulk&status=", "?status=&sort=patient&page=2&per_page=10", "?status=&flag=mme_50"],
)
def test_dashboard_statements_do_not_grow_with_rows(login, people, role, query):
    # The queue, a search, a sorted page and a filter: the same statements at 15 intakes
    # as at 150, for either role (the bench's dashboard paths).
    client = login(people[role])
    _bulk_intakes(15)
    small = _queue_queries(client, f"/staff/{query}")
    _bulk_intakes(135, start=15)
    assert _queue_queries(client, f"/staff/{query}") == small


def test_dashboard_lists_urgent_first_with_text_and_icon_not_colour_alone(
    login, clinician, alice_intake, urgent_intake
):
    html = login(clinician).get(reverse("staff:dashboard")).content.decode()
    assert html.index(str(urgent_intake.patient)) < html.index(str(alice_intake.patient))
    assert "Urgent safety" in html and "bi-exclamation-octagon-fill" in html


def test_dashboard_counts_every_status_including_abandoned(login, coordinator, alice_intake):
    response = login(coordinator).get(reverse("staff:dashboard"))
    counts = {value: count for value, _label, count in response.context["counts"]}
    assert counts["submitted"] == 1 and counts["abandoned"] == 0 and counts["declined"] == 0


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_every_dashboard_filter_has_a_label_of_its_own(login, people, role):
    html = login(people[role]).get("/staff/").content.decode()
    assert "[invalid name]" not in html
    labels = re.findall(r'<label[^>]*for="id_([a-z_]+)"[^>]*>\s*([^<*]+?)\s*<', html)
    assert labels and all(text.strip() for _, text in labels)
    if role == "clinician":
        assert {"flag": "Screening flag", "diagnosis": "Diagnosis"}.items() <= dict(labels).items()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=alice", True),
        ("q=Alice+Anderson", True),
        ("q=alice%40example.com", True),
        ("q=5550143", True),
        ("q=1979-04-23", True),
        ("q=04/23/1979", True),
        ("q=zzz", False),
        ("flag=mme_50", True),
        ("flag=pregnancy", False),
        ("diagnosis=crps_1", True),
        ("diagnosis=migraine", False),
        ("mme_band=caution", True),
        ("mme_band=high", False),
        ("status=in_review", False),
        ("triage=urgent", False),
        ("submitted_after=2000-01-01", True),
        ("submitted_before=2000-01-01", False),
    ],
)
def test_dashboard_filters_and_search_live_in_the_url(login, clinician, alice_intake, query, found):
    html = login(clinician).get(f"/staff/?status=&{query}").content.decode()
    assert ("Alice Anderson" in html) is found


def test_coordinator_sees_contact_details_but_no_clinical_answers(login, coordinator, alice_intake):
    client = login(coordinator)
    html = client.get(reverse("staff:intake", args=[alice_intake.pk])).content.decode()
    assert "(202) 555-0143" in html and "12 Elm Street" in html
    for clinical in ("Oxycodone", "Screening flags", "PHQ-9", "Burning pain", "MME"):
        assert not says(html, clinical), clinical
    dashboard = client.get("/staff/?status=").content.decode()
    assert not says(dashboard, "Triage") and not says(dashboard, "MME")


def test_clinician_sees_answers_scores_flags_and_mme(login, clinician, alice_intake):
    html = login(clinician).get(reverse("staff:intake", args=[alice_intake.pk])).content.decode()
    for text in (
        "Screening flags",
        "PEG",
        "60.0 MME/day",
        "Burning pain",
        "Source:",
        "CDC 2022",
        "Budapest",
    ):
        assert text in html, text


@pytest.mark.parametrize("role", ["patient", "other_patient"])
def test_patients_cannot_open_staff_pages(login, people, alice_intake, role):
    client = login(people[role])
    assert client.get(reverse("staff:dashboard")).status_code == 403
    assert client.get(reverse("staff:intake", args=[alice_intake.pk])).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin", "patient"])
def test_only_clinicians_decide(login, people, alice_intake, role):
    url = reverse("staff:intake_action", args=[alice_intake.pk, "start_review"])
    assert login(people[role]).post(url).status_code == 403
    assert Intake.objects.get(pk=alice_intake.pk).status == S.SUBMITTED


def test_clinician_starts_review_and_approves_from_the_page(login, clinician, alice_intake):
    client = login(clinician)
    client.post(reverse("staff:intake_action", args=[alice_intake.pk, "start_review"]))
    response = client.post(
        reverse("staff:intake_action", args=[alice_intake.pk, "approve"]), follow=True
    )
    alice_intake.refresh_from_db()
    assert alice_intake.status == S.APPROVED, response.content.decode()[:500]
    assert b"Approved for consultation" in response.content


def test_approve_with_open_stop_flag_explains_why_and_changes_nothing(login, clinician, patient):
    answers = {**demo.BASE, "health_conditions": ["eye_pressure"]}
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    response = login(clinician).post(
        reverse("staff:intake_action", args=[intake.pk, "approve"]), follow=True
    )
    assert b"Clear every stop flag" in response.content
    assert Intake.objects.get(pk=intake.pk).status == S.SUBMITTED


def test_bad_request_info_input_is_explained_and_typing_kept(login, clinician, alice_intake):
    url = reverse("staff:intake_action", args=[alice_intake.pk, "request_info"])
    response = login(clinician).post(url, {"request_info-message": "Which pharmacy?"})
    assert response.status_code == 200
    assert "Choose at least one section." in response.content.decode()
    assert "Which pharmacy?" in response.content.decode()
    assert Intake.objects.get(pk=alice_intake.pk).status == S.SUBMITTED


def test_unknown_action_is_a_404(login, clinician, alice_intake):
    url = reverse("staff:intake_action", args=[alice_intake.pk, "delete"])
    assert login(clinician).post(url).status_code == 404


def test_decline_from_the_page_shows_the_kind_message_in_the_patients_portal(
    login, clinician, patient, alice_intake
):
    template = DeclineTemplate.objects.first()
    login(clinician).post(
        reverse("staff:intake_action", args=[alice_intake.pk, "decline"]),
        {"decline-template": template.pk, "decline-note": "internal only"},
    )
    portal = login(patient).get(reverse("intake:portal")).content.decode()
    assert template.patient_message[:40] in portal
    assert "internal only" not in portal


def test_urgent_alert_sits_on_every_staff_page_until_acknowledged(
    login, clinician, coordinator, urgent_intake, alice_intake
):
    for user, url in ((clinician, "/staff/"), (coordinator, f"/staff/intakes/{alice_intake.pk}/")):
        html = login(user).get(url).content.decode()
        assert "Urgent safety alert" in html
    coordinator_html = login(coordinator).get("/staff/").content.decode()
    assert "PHQ-9" not in coordinator_html  # coordinators are told to get a clinician, no detail
    alert = urgent_intake.alerts.get()
    login(clinician).post(
        reverse("staff:alert_ack", args=[alert.pk]),
        {f"alert{alert.pk}-action_taken": "Called, safe, plan made", "next": "/staff/"},
    )
    for url in ("/staff/", f"/staff/intakes/{alice_intake.pk}/"):
        assert "Urgent safety alert" not in login(clinician).get(url).content.decode()


def test_clinician_clears_a_flag_with_a_reason_from_the_page(login, clinician, patient):
    intake = demo.seed_intake(
        patient=patient, answers={**demo.BASE, "health_conditions": ["eye_pressure"]}, submit=True
    )
    flag = intake.flags.get(severity="stop")
    url = reverse("staff:clear_flag", args=[intake.pk, flag.pk])
    client = login(clinician)
    client.post(url, {f"flag{flag.pk}-reason": ""})
    flag.refresh_from_db()
    assert flag.cleared_at is None
    client.post(url, {f"flag{flag.pk}-reason": "Ophthalmology letter: controlled"})
    flag.refresh_from_db()
    assert flag.cleared_by == clinician


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinic_admin", 200), ("clinician", 403), ("coordinator", 403), ("patient", 403)],
)
def test_consent_page_is_for_clinic_admins(login, people, role, status):
    client = login(people[role])
    assert client.get(reverse("clinic_settings:consent_text")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinic_admin", 200), ("clinician", 200), ("coordinator", 403), ("patient", 403)],
)
def test_policy_page_is_for_clinicians_and_clinic_admins(login, people, role, status):
    client = login(people[role])
    assert client.get(reverse("clinic_settings:screening_policy")).status_code == status


def test_clinic_admin_saves_a_new_policy_version(login, clinic_admin):
    from intake.screening import RULES

    data = {f"sev_{r.code}": r.default_severity for r in RULES if r.editable}
    data.update({"sev_glaucoma": "caution", "pcptsd_cutoff": "4", "reason": "Eye pressure"})
    url = reverse("clinic_settings:screening_policy")
    client = login(clinic_admin)
    previewed = client.post(url, {**data, "action": "preview"}).context["previewed"]
    client.post(url, {**data, "action": "save", "previewed": previewed})
    policy = ScreeningPolicy.current()
    assert policy.version == 1 and policy.severities["glaucoma"] == "caution"
    assert policy.pcptsd_cutoff == 4


def test_clinic_admin_publishes_a_new_consent_version(login, clinic_admin):
    from intake.models import ConsentText

    login(clinic_admin).post(
        reverse("clinic_settings:consent_text"), {"title": "Consent", "body": "New text"}
    )
    assert ConsentText.current().version == 2 and ConsentText.current().body == "New text"


def test_review_page_offers_a_print_summary(login, clinician, alice_intake):
    html = login(clinician).get(reverse("staff:intake", args=[alice_intake.pk])).content.decode()
    # The button prints through clinic.js (data-print): no inline handler under the CSP.
    assert "data-print" in html and "clinic/clinic.js" in html and 'media="print"' in html


@pytest.mark.parametrize(
    "query", ["per_page=-5", "per_page=x", "page=999", "page=abc", "sort=nope"]
)
def test_odd_paging_and_sorting_parameters_never_500(login, clinician, alice_intake, query):
    assert login(clinician).get(f"/staff/?status=&{query}").status_code == 200


def test_clinician_exports_every_answer_as_csv_but_a_coordinator_cannot(
    login, clinician, coordinator, alice_intake
):
    url = reverse("staff:intake_export", args=[alice_intake.pk])
    response = login(clinician).get(url)
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "peg_pain" in body and "Burning pain" in body and "Oxycodone" in body
    assert login(coordinator).get(url).status_code == 403


def test_review_page_query_count_does_not_grow_with_history_flags_or_past_intakes(
    login, clinician, patient
):
    from intake.models import IntakeEvent

    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    client = login(clinician)
    url = reverse("staff:intake", args=[intake.pk])
    small = _queries(client, url)
    IntakeEvent.objects.bulk_create(
        IntakeEvent(intake=intake, actor=clinician, kind=IntakeEvent.Kind.NOTE, text=f"n{i}")
        for i in range(12)
    )
    Intake.objects.bulk_create(
        Intake(patient=patient, status=Intake.Status.DECLINED, questionnaire_version="t")
        for _ in range(3)
    )
    large = _queries(client, url)
    assert small == large


def _searched(client, q: str) -> bool:
    return "Alice Anderson" in client.get("/staff/", {"status": "", "q": q}).content.decode()


def test_search_follows_the_patient_renamed_however_the_change_is_written(
    login, clinician, alice_intake
):
    # The search reads the intake's copy of the patient's name and email (migration 0016):
    # the database keeps it, for a save, a queryset update, and an intake saved from a copy
    # read before the patient changed.
    client = login(clinician)
    stale = Intake.objects.get(pk=alice_intake.pk)
    patient = alice_intake.patient
    patient.last_name = "Zephyr"
    patient.save()
    assert "Alice Zephyr" in client.get("/staff/", {"status": "", "q": "zephyr"}).content.decode()
    assert not client.get("/staff/", {"status": "", "q": "anderson"}).context["table"].rows
    stale.save()  # written back with the name it read
    assert client.get("/staff/", {"status": "", "q": "zephyr"}).context["table"].rows
    User.objects.filter(pk=patient.pk).update(last_name="Anderson", email="quill@example.com")
    assert _searched(client, "alice anderson quill")
    assert not _searched(client, "alice@example")


def test_a_search_word_matches_within_one_field_not_across_two(login, clinician, alice_intake):
    # "Alice" then "Anderson": the copy's lines never join a first name to a last name.
    client = login(clinician)
    assert _searched(client, "ALICE anderson")
    assert not _searched(client, "aliceanderson") and not _searched(client, "ceand")
    # LIKE's wildcards are letters to search for, as icontains has them.
    assert not _searched(client, "%") and not _searched(client, "a_ice")
    assert _searched(client, "alice@")
