"""The checklist of suggested tests: which flags suggest what (pure), every legal and
illegal move, its history and audit row, and who may record it."""

import pytest
from django.urls import reverse

from clinic.audit.models import AuditEvent
from intake import checklist, demo, screening
from intake.checklist import NOT_NEEDED, RECEIVED, REQUESTED, SUGGESTED, ChecklistError
from intake.checklist_services import record_checklist
from intake.models import ChecklistEvent, ChecklistItem

CARDIAC = {"high_blood_pressure": "yes", "bp_controlled": "yes"}
# Liver disease is a tick in the health checklist and a severity (the old one answer is derived).
HEPATIC = {"health_conditions": ["liver"], "liver_severity": "moderate"}


# ----------------------------------------------------------------- pure mapping


def test_cardiac_flags_suggest_a_baseline_ecg_and_liver_flags_liver_tests():
    found = checklist.suggested(
        [("suggest_ecg", "Suggested test: baseline ECG"), ("hepatitis", "Hepatitis B or C")]
    )
    assert [(item.code, why) for item, why in found] == [
        ("baseline_ecg", ("Suggested test: baseline ECG",)),
        ("liver_function_tests", ("Hepatitis B or C",)),
    ]


def test_unknown_liver_severity_suggests_tests_and_records_and_pregnancy_a_test():
    codes = [i.code for i, _ in checklist.suggested([("liver_disease_severity_unknown", "t")])]
    assert codes == ["liver_function_tests", "liver_records"]
    assert [i.code for i, _ in checklist.suggested([("pregnancy", "t")])] == ["pregnancy_test"]


def test_flags_that_suggest_no_test_give_an_empty_checklist():
    assert checklist.suggested([("no_driver", "t"), ("sleep_apnea", "t")]) == []
    assert checklist.suggested([]) == []


def test_every_flag_code_in_the_mapping_is_a_real_screening_rule():
    mapped = {code for item in checklist.ITEMS for code in item.flags}
    assert mapped <= set(screening.RULE_BY_CODE)


LEGAL = [
    (SUGGESTED, REQUESTED, ""),
    (SUGGESTED, RECEIVED, ""),
    (SUGGESTED, NOT_NEEDED, "ECG done last month, on file"),
    (REQUESTED, RECEIVED, ""),
    (REQUESTED, NOT_NEEDED, "cardiologist letter suffices"),
    (RECEIVED, REQUESTED, "result was for another patient"),
    (NOT_NEEDED, REQUESTED, "changed my mind"),
]
ILLEGAL = [
    (SUGGESTED, SUGGESTED),
    (REQUESTED, REQUESTED),
    (REQUESTED, SUGGESTED),
    (RECEIVED, RECEIVED),
    (RECEIVED, NOT_NEEDED),
    (NOT_NEEDED, RECEIVED),
    (NOT_NEEDED, NOT_NEEDED),
    (REQUESTED, "bogus"),
]


@pytest.mark.parametrize(("before", "after", "note"), LEGAL)
def test_legal_moves_pass(before, after, note):
    checklist.check_move(before, after, note)


@pytest.mark.parametrize(("before", "after"), ILLEGAL)
def test_illegal_moves_are_refused(before, after):
    with pytest.raises(ChecklistError, match="cannot be marked"):
        checklist.check_move(before, after, "a note")


@pytest.mark.parametrize(
    ("before", "after"), [(SUGGESTED, NOT_NEEDED), (RECEIVED, REQUESTED), (NOT_NEEDED, REQUESTED)]
)
def test_skipping_a_test_or_correcting_a_record_needs_a_reason(before, after):
    with pytest.raises(ChecklistError, match="Say why"):
        checklist.check_move(before, after, "   ")


# ------------------------------------------------------------------- service


@pytest.fixture
def cardiac_intake(patient):
    return demo.seed_intake(patient=patient, answers={**demo.BASE, **CARDIAC}, submit=True)


def test_each_move_is_kept_with_who_and_why(cardiac_intake, clinician):
    record_checklist(
        intake=cardiac_intake, code="baseline_ecg", to_status=REQUESTED, actor=clinician
    )
    item = record_checklist(
        intake=cardiac_intake, code="baseline_ecg", to_status=RECEIVED, actor=clinician
    )
    assert item.status == RECEIVED and item.updated_by == clinician
    moves = list(ChecklistEvent.objects.filter(item=item).values_list("from_status", "to_status"))
    assert moves == [(SUGGESTED, REQUESTED), (REQUESTED, RECEIVED)]


def test_a_refused_move_changes_nothing(cardiac_intake, clinician):
    record_checklist(
        intake=cardiac_intake, code="baseline_ecg", to_status=RECEIVED, actor=clinician
    )
    with pytest.raises(ChecklistError):
        record_checklist(
            intake=cardiac_intake, code="baseline_ecg", to_status=NOT_NEEDED, actor=clinician
        )
    assert ChecklistItem.objects.get().status == RECEIVED
    assert ChecklistEvent.objects.count() == 1


def test_an_unknown_item_is_refused(cardiac_intake, clinician):
    with pytest.raises(ChecklistError, match="not an item"):
        record_checklist(intake=cardiac_intake, code="mri", to_status=REQUESTED, actor=clinician)
    assert not ChecklistItem.objects.exists()


# ---------------------------------------------------------------------- views


def _url(intake, code="baseline_ecg"):
    return reverse("staff:checklist", args=[intake.pk, code])


def test_review_page_lists_what_the_flags_suggest(login, clinician, patient):
    intake = demo.seed_intake(
        patient=patient, answers={**demo.BASE, **CARDIAC, **HEPATIC}, submit=True
    )
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "Baseline ECG" in html and "Liver function tests" in html
    assert "Pregnancy test" not in html
    assert "Not yet requested" in html


def test_clinician_records_a_move_and_the_trail_has_it(login, clinician, cardiac_intake):
    client = login(clinician)
    response = client.post(_url(cardiac_intake), {"check-baseline_ecg-status": REQUESTED})
    assert response.status_code == 302
    assert ChecklistItem.objects.get().status == REQUESTED
    event = AuditEvent.objects.get(action="checklist_recorded")
    assert event.patient_id == cardiac_intake.patient_id and event.actor_id == clinician.pk
    html = client.get(reverse("staff:intake", args=[cardiac_intake.pk])).content.decode()
    assert "Not yet requested → Requested" in html


def test_not_needed_without_a_reason_shows_the_message_next_to_the_field(
    login, clinician, cardiac_intake
):
    response = login(clinician).post(
        _url(cardiac_intake),
        {"check-baseline_ecg-status": NOT_NEEDED, "check-baseline_ecg-note": " "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="check-baseline_ecg-error"' in html and "Say why" in html
    assert not ChecklistItem.objects.filter(status=NOT_NEEDED).exists()
    assert not AuditEvent.objects.filter(action="checklist_recorded").exists()


def test_a_missing_status_is_a_message_not_a_500(login, clinician, cardiac_intake):
    response = login(clinician).post(_url(cardiac_intake), {"check-baseline_ecg-note": "x"})
    assert response.status_code == 400
    assert "Choose what to record." in response.content.decode()


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin", "patient", "other_patient"])
def test_only_reviewers_record_the_checklist(login, people, cardiac_intake, role):
    response = login(people[role]).post(
        _url(cardiac_intake), {"check-baseline_ecg-status": REQUESTED}
    )
    assert response.status_code == 403
    assert not ChecklistItem.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_front_desk_does_not_see_the_checklist(login, people, cardiac_intake, role):
    html = login(people[role]).get(reverse("staff:intake", args=[cardiac_intake.pk]))
    assert "Baseline ECG" not in html.content.decode()
