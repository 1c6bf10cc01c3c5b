"""Every page and export that shows patient data leaves an audit row; so does an edit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.accounts.models import User
from clinic.audit.models import Action, AuditEvent
from intake import demo, review
from intake.models import Intake
from tests.intake.helpers import post_data


@pytest.fixture
def alice_intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


def _latest():
    return AuditEvent.objects.order_by("-pk").first()


def test_opening_the_review_page_records_who_what_when_and_from_where(
    login, clinician, patient, alice_intake
):
    url = reverse("staff:intake", args=[alice_intake.pk])
    response = login(clinician).get(
        url, REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Mozilla/5.0 test"
    )
    assert response.status_code == 200
    event = _latest()
    assert (event.actor, event.actor_role, event.action) == (clinician, "clinician", "view")
    assert (event.patient, event.target_type, event.target_id) == (
        patient,
        "intake.intake",
        str(alice_intake.pk),
    )
    assert (event.view_name, event.path) == ("staff:intake", url)
    assert (event.ip, event.user_agent) == ("203.0.113.5", "Mozilla/5.0 test")


def test_exporting_the_answers_records_an_export(login, clinician, patient, alice_intake):
    login(clinician).get(reverse("staff:intake_export", args=[alice_intake.pk]))
    event = _latest()
    assert (event.action, event.patient, event.view_name) == (
        Action.EXPORT,
        patient,
        "staff:intake_export",
    )


def test_a_refused_page_records_nothing(login, coordinator, alice_intake):
    before = AuditEvent.objects.count()
    url = reverse("staff:intake_export", args=[alice_intake.pk])
    assert login(coordinator).get(url).status_code == 403
    assert AuditEvent.objects.count() == before


def test_list_pages_record_every_patient_shown_in_one_row(
    login, coordinator, patient, other_patient, alice_intake
):
    demo.seed_intake(patient=other_patient, answers=demo.NO_OPIOIDS_METRIC, submit=True)
    login(coordinator).get(reverse("staff:dashboard"))
    event = _latest()
    assert event.action == Action.LIST and event.view_name == "staff:dashboard"
    assert set(event.patient_id_list) == {patient.pk, other_patient.pk}
    assert AuditEvent.objects.involving(other_patient.pk).filter(pk=event.pk).exists()


def test_searching_for_a_patient_to_book_records_the_results(login, coordinator, patient):
    login(coordinator).get(reverse("schedule:patients"), {"q": "alice"})
    event = _latest()
    assert (event.action, event.patient_id_list) == (Action.LIST, [patient.pk])


def test_booking_for_a_patient_records_the_patient(login, coordinator, approved_patient):
    login(coordinator).get(reverse("schedule:book", args=[approved_patient.pk]))
    event = _latest()
    assert (event.action, event.patient, event.view_name) == (
        Action.VIEW,
        approved_patient,
        "schedule:book",
    )


def test_moving_an_appointment_records_the_appointment(
    login, coordinator, approved_patient, initial, provider
):
    from consultations import services
    from tests.consultations.conftest import NOW, TUESDAY, at

    appointment = services.book_appointment(
        patient=approved_patient,
        appointment_type=initial,
        provider=provider,
        start=at(TUESDAY, 9),
        mode="in_person",
        actor=approved_patient,
        now=NOW,
    )
    login(coordinator).get(reverse("schedule:move", args=[appointment.pk]))
    event = _latest()
    assert (event.patient, event.target_type, event.target_id) == (
        approved_patient,
        "consultations.appointment",
        str(appointment.pk),
    )
    login(coordinator).get(reverse("schedule:day"), {"date": TUESDAY.isoformat()})
    assert _latest().patient_id_list == [approved_patient.pk]


def test_message_pages_record_the_recipient(login, coordinator, patient):
    from clinic.notifications.models import Message

    message = Message.objects.create(
        kind="intake_more_info",
        recipient=patient,
        channel="email",
        due_at="2026-11-01T10:00Z",
        idempotency_key="k1",
    )
    client = login(coordinator)
    client.get(reverse("messages:log"))
    assert _latest().patient_id_list == [patient.pk]
    client.get(reverse("messages:detail", args=[message.pk]))
    assert (_latest().patient, _latest().target_type) == (patient, "notifications.message")


def test_editing_a_reopened_section_keeps_old_and_new_answers(
    login, clinician, patient, alice_intake
):
    review.request_more_info(
        intake=alice_intake, actor=clinician, sections=["goals"], message="Who drives you home?"
    )
    old = alice_intake.answers["has_driver"]
    answers = {**demo.BASE, "has_driver": "no" if old == "yes" else "yes"}
    login(patient).post(
        reverse("intake:step", args=["goals"]),
        post_data("goals", answers),
        REMOTE_ADDR="198.51.100.77",
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, patient=patient)
    assert event.detail["changes"]["has_driver"] == [old, answers["has_driver"]]
    assert (event.actor, event.target_id) == (patient, str(alice_intake.pk))
    assert event.ip == "198.51.100.77"  # from the request being served
    assert event.view_name == "intake:step"


def test_an_edit_and_its_audit_row_are_written_together_with_every_column(
    login, clinician, patient, alice_intake
):
    # On PostgreSQL the row goes in the intake's UPDATE statement (clinic.core.row_version),
    # elsewhere through record(): the same columns either way.
    review.request_more_info(
        intake=alice_intake, actor=clinician, sections=["goals"], message="Who drives you home?"
    )
    old = alice_intake.answers["has_driver"]
    answers = {**demo.BASE, "has_driver": "no" if old == "yes" else "yes"}
    client = login(patient)
    url = reverse("intake:step", args=["goals"])
    with CaptureQueriesContext(connection) as queries:
        client.post(
            url,
            post_data("goals", answers),
            REMOTE_ADDR="198.51.100.77",
            HTTP_USER_AGENT="Mozilla/5.0 tab",
        )
    event = AuditEvent.objects.get(action=Action.UPDATE, patient=patient)
    assert (event.actor, event.actor_role, event.actor_label) == (
        patient,
        "patient",
        f"{patient.get_full_name()} <{patient.email}>",
    )
    assert (event.patient_label, event.patient_ids) == (event.actor_label, "")
    assert (event.target_type, event.target_id) == ("intake.intake", str(alice_intake.pk))
    assert (event.view_name, event.path) == ("intake:step", url)
    assert (event.ip, event.user_agent) == ("198.51.100.77", "Mozilla/5.0 tab")
    assert event.detail == {"changes": {"has_driver": [old, answers["has_driver"]]}}
    assert event.occurred_at is not None
    intake = Intake.objects.get(pk=alice_intake.pk)
    assert intake.answers["has_driver"] == answers["has_driver"]
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "WITH"))]
    if connection.vendor == "postgresql":
        (write,) = writes
        assert 'INSERT INTO "audit_auditevent"' in write


def test_a_save_that_overwrites_nothing_leaves_no_audit_row(
    login, clinician, patient, alice_intake
):
    review.request_more_info(
        intake=alice_intake, actor=clinician, sections=["goals"], message="Anything new?"
    )
    login(patient).post(reverse("intake:step", args=["goals"]), post_data("goals", demo.BASE))
    assert not AuditEvent.objects.filter(action=Action.UPDATE, patient=patient).exists()


def test_first_answers_before_submission_are_not_change_history(patient):
    demo.seed_intake(patient=patient, answers=demo.BASE, submit=False)
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "audit')]
    assert len(inserts) == 1  # one audit insert per request, however many rows are shown
    return len(ctx)


def test_audited_pages_cost_the_same_queries_for_1_and_40_patients(login, coordinator):
    client = login(coordinator)
    users = User.objects.bulk_create(User(email=f"p{i}@example.com") for i in range(41))
    Intake.objects.bulk_create(
        Intake(patient=users[0], status="submitted", questionnaire_version="t", answers={})
        for _ in range(1)
    )
    small = _queries(client, "/staff/?status=submitted&per_page=100")
    Intake.objects.bulk_create(
        Intake(patient=u, status="submitted", questionnaire_version="t", answers={})
        for u in users[1:]
    )
    large = _queries(client, "/staff/?status=submitted&per_page=100")
    assert small == large
    assert len(_latest().patient_id_list) == 41


def test_staff_actions_on_a_record_are_recorded_as_writes(login, clinician, patient, alice_intake):
    client = login(clinician)
    client.post(reverse("staff:intake_action", args=[alice_intake.pk, "start_review"]))
    client.post(
        reverse("staff:intake_action", args=[alice_intake.pk, "note"]), {"note-text": "Seen"}
    )
    actions = list(
        AuditEvent.objects.filter(actor=clinician, patient=patient)
        .exclude(action__in=(Action.VIEW, Action.LIST))
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["review_start_review", "review_note"]
