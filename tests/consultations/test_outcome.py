"""The consultation outcome: recorded by clinicians, corrected with history, told to the
patient as kind words through the outbox, and shown to other staff as a word only."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.notifications.dispatcher import dispatch_due
from clinic.notifications.models import Message
from consultations import outcome_services
from consultations.models import (
    Appointment,
    ConsultationOutcome,
    OutcomeMessageTemplate,
    OutcomeRevision,
)
from intake.models import ChecklistItem
from tests.consultations.conftest import consulted

NOTE = "BP 150/95 at rest; ECG before course"


def template(decision):
    return OutcomeMessageTemplate.objects.filter(decision=decision).first()


@pytest.fixture
def seen(approved_patient, provider):
    return consulted(approved_patient, provider, start=timezone.now() - dt.timedelta(days=1))


def _record(appointment, clinician, decision="proceed", **kwargs):
    return outcome_services.record_outcome(
        appointment=appointment,
        actor=clinician,
        decision=decision,
        template=template(decision),
        **kwargs,
    )


def _post(client, appointment, **data):
    fields = {"version": 0, "decision": "proceed", "template": template("proceed").pk}
    return client.post(reverse("schedule:outcome", args=[appointment.pk]), {**fields, **data})


def test_proceed_is_recorded_audited_and_the_patient_told_with_a_link_only(seen, clinician):
    outcome = _record(seen, clinician, note=NOTE, budapest_signs=["allodynia", "edema"])
    assert outcome.lets_staff_plan and outcome.version == 1
    assert outcome.patient_message == template("proceed").patient_message
    event = AuditEvent.objects.get(action="consultation_outcome")
    assert event.patient == seen.patient and event.detail == {"decision": "proceed", "version": 1}
    dispatch_due()
    (email,) = mail.outbox
    assert reverse("consultations:detail", args=[seen.pk]) in email.body
    assert "150/95" not in email.body and "infusion" not in email.body.lower()
    assert outcome_services.current_outcome(seen.patient) == outcome


def test_a_second_outcome_supersedes_the_first_and_keeps_it_as_history(seen, clinician):
    first = _record(seen, clinician, note=NOTE)
    second = _record(
        seen,
        clinician,
        decision="not_suitable",
        note="Psychosis history found in records",
        reason="Records arrived after the visit",
        version=1,
    )
    assert second.pk == first.pk and second.version == 2
    assert second.decision == "not_suitable" and not second.lets_staff_plan
    (old,) = OutcomeRevision.objects.filter(outcome=second)
    assert (old.version, old.decision, old.note) == (1, "proceed", NOTE)
    assert old.superseded_reason == "Records arrived after the visit"
    assert AuditEvent.objects.filter(action="consultation_outcome_corrected").count() == 1
    assert Message.objects.filter(kind="consultation_outcome", recipient=seen.patient).count() == 2


def test_a_correction_needs_a_reason_and_the_version_it_corrects(seen, clinician):
    _record(seen, clinician)
    with pytest.raises(outcome_services.OutcomeError, match="Say why"):
        _record(seen, clinician, decision="not_suitable", version=1)
    with pytest.raises(outcome_services.OutcomeError, match="while you were writing"):
        _record(seen, clinician, decision="not_suitable", reason="x", version=0)
    assert ConsultationOutcome.objects.get().decision == "proceed"


def test_needs_tests_marks_the_checklist_items_requested(seen, clinician):
    _record(seen, clinician, decision="needs_tests", tests_needed=["baseline_ecg"])
    item = ChecklistItem.objects.get(code="baseline_ecg")
    assert item.status == "requested" and item.intake.patient == seen.patient
    with pytest.raises(outcome_services.OutcomeError, match="tests"):
        _record(seen, clinician, decision="needs_tests", reason="r", version=1)


def test_no_outcome_before_the_patient_came_or_on_an_infusion(seen, clinician):
    Appointment.objects.filter(pk=seen.pk).update(status=Appointment.Status.BOOKED)
    seen.refresh_from_db()
    with pytest.raises(outcome_services.OutcomeError, match="came to"):
        _record(seen, clinician)


def test_the_template_must_be_written_for_the_decision(seen, clinician):
    with pytest.raises(outcome_services.OutcomeError, match="message"):
        outcome_services.record_outcome(
            appointment=seen,
            actor=clinician,
            decision="not_suitable",
            template=template("proceed"),
            note="x",
        )


def test_crps_facts_come_from_the_intake_symptoms(seen):
    facts = outcome_services.crps_facts(outcome_services.latest_intake(seen.patient))
    assert facts.reported and facts.symptom_categories == 3 and facts.symptoms_positive
    assert facts.assess(["allodynia", "edema"]).met
    assert not facts.assess(["allodynia"]).met


# ------------------------------------------------------------------------------ the page


def test_the_clinician_checks_then_confirms_and_sees_the_result(login, seen, clinician):
    client = login(clinician)
    page = client.get(reverse("schedule:outcome", args=[seen.pk]))
    assert page.status_code == 200 and "Budapest signs" in page.content.decode()
    check = _post(client, seen, budapest_signs=["allodynia", "edema"], note=NOTE)
    html = check.content.decode()
    assert check.status_code == 200 and "Record this outcome?" in html
    assert "Budapest criteria met" in html and not ConsultationOutcome.objects.exists()
    done = _post(client, seen, budapest_signs=["allodynia", "edema"], note=NOTE, confirmed="yes")
    assert done.status_code == 302
    html = client.get(done.url).content.decode()
    assert "Outcome now: Proceed" in html and NOTE in html and "Correct the outcome" in html


def test_bad_input_is_shown_next_to_the_field_and_kept(login, seen, clinician):
    client = login(clinician)
    response = _post(
        client,
        seen,
        decision="not_suitable",
        template=template("not_suitable").pk,
        tests_needed=["baseline_ecg"],
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Say why, for the clinical record" in html
    form = response.context["form"]
    assert form.data["decision"] == "not_suitable" and form["tests_needed"].value() == [
        "baseline_ecg"
    ]


def test_change_something_goes_back_to_the_form_with_the_values(login, seen, clinician):
    client = login(clinician)
    response = _post(client, seen, note=NOTE, edit="1")
    assert response.status_code == 200 and NOTE in response.content.decode()
    assert "Continue to check" in response.content.decode()


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_other_staff_see_the_decision_word_only(login, people, seen, clinician, role):
    _record(seen, clinician, decision="needs_tests", tests_needed=["baseline_ecg"], note=NOTE)
    client = login(people[role])
    html = client.get(reverse("schedule:outcome", args=[seen.pk])).content.decode()
    assert "tests needed" in html
    for clinical in (NOTE, "Baseline ECG", "Budapest", template("needs_tests").patient_message):
        assert clinical not in html
    assert _post(client, seen, confirmed="yes").status_code == 403
    patient_page = client.get(reverse("staff:patient", args=[seen.patient_id])).content.decode()
    assert "Outcome: <strong>tests needed" in patient_page and NOTE not in patient_page


def test_patients_never_reach_the_staff_page(login, people, seen, clinician):
    _record(seen, clinician, note=NOTE)
    for who in ("patient", "other_patient"):
        response = login(people[who]).get(reverse("schedule:outcome", args=[seen.pk]))
        assert response.status_code == 403


def test_the_patient_reads_the_kind_words_on_her_consultation_page(login, seen, clinician):
    _record(seen, clinician, decision="not_suitable", note=NOTE)
    html = login(seen.patient).get(reverse("consultations:detail", args=[seen.pk])).content
    html = html.decode()
    assert "After your consultation" in html
    assert template("not_suitable").patient_message.split(".")[0] in html
    assert NOTE not in html and "Not suitable" not in html


def test_another_patient_gets_a_404_for_her_consultation_page(login, other_patient, seen):
    response = login(other_patient).get(reverse("consultations:detail", args=[seen.pk]))
    assert response.status_code == 404


def test_opening_the_outcome_page_is_an_audited_read(login, seen, clinician):
    login(clinician).get(reverse("schedule:outcome", args=[seen.pk]))
    assert AuditEvent.objects.filter(
        action="view", patient=seen.patient, target_id=str(seen.pk)
    ).exists()
