"""The patient's own uploads from the intake: photos and PDFs only (read from the content),
size-capped, listed by the names they gave, removed only after confirming and with an undo,
never served back to patients, opened by who access.py says, and every page audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.documents.models import Document

from .test_documents import EXE, JPEG, PDF, PNG

MINE = reverse("documents:mine")


def _add(client, name, content, kind="insurance_card", content_type="image/jpeg"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(MINE, {"kind": kind, "file": upload, "next": "/intake/step/care/"})


@pytest.fixture
def alice(client, patient):
    client.force_login(patient)
    return client


@pytest.mark.parametrize(
    ("name", "content", "kind", "mime"),
    [
        ("card front.jpg", JPEG, "insurance_card", "image/jpeg"),
        ("card back.png", PNG, "insurance_card_back", "image/png"),
        ("referral.pdf", PDF, "referral_letter", "application/pdf"),
        ("MRI report.pdf", PDF, "imaging_report", "application/pdf"),
        ("license.jpg", JPEG, "photo_id", "image/jpeg"),
    ],
)
def test_patient_adds_a_photo_or_pdf_and_sees_it_listed_by_its_name(
    alice, patient, name, content, kind, mime
):
    response = _add(alice, name, content, kind=kind)
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.patient, document.uploaded_by, document.kind) == (patient, patient, kind)
    assert document.content_type == mime
    page = alice.get(response["Location"]).content.decode()
    assert name in page and "Added:" in page
    assert AuditEvent.objects.filter(action="document_uploaded", patient_id=patient.pk).exists()


def test_a_renamed_program_is_refused_next_to_the_field_in_plain_words(alice):
    response = _add(alice, "insurance.jpg", EXE)
    assert response.status_code == 400
    html = response.content.decode()
    assert "not a photo or a PDF, whatever its name says" in html
    assert 'id="id_file"' in html and "is-invalid" in html
    assert not Document.objects.exists()


def test_an_oversized_photo_is_refused_with_the_limit(alice, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    response = _add(alice, "card.jpg", JPEG + b"0" * 2000)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not Document.objects.exists()


def test_a_patient_cannot_choose_a_staff_only_kind(alice):
    response = _add(alice, "ecg.pdf", PDF, kind="ecg")
    assert response.status_code == 400 and not Document.objects.exists()


def test_the_file_input_accepts_photos_and_pdfs_and_the_page_is_audited(alice, patient):
    html = alice.get(MINE).content.decode()
    assert 'accept="application/pdf,image/jpeg,image/png"' in html
    assert AuditEvent.objects.filter(action="documents_listed", patient_id=patient.pk).exists()


def test_remove_asks_first_then_removes_and_undo_puts_it_back(alice, patient):
    _add(alice, "card.jpg", JPEG)
    document = Document.objects.get()
    url = reverse("documents:mine_remove", args=[document.pk])
    confirm = alice.get(url)
    assert "Remove this document?" in confirm.content.decode()
    document.refresh_from_db()
    assert document.removed_at is None  # asking removes nothing

    done = alice.post(url, {"next": "/intake/step/care/"})
    assert "Undo" in done.content.decode()
    document.refresh_from_db()
    assert document.removed_at is not None and document.removed_by == patient
    assert "card.jpg" not in alice.get(MINE).content.decode()

    alice.post(reverse("documents:mine_restore", args=[document.pk]))
    document.refresh_from_db()
    assert document.removed_at is None
    assert "card.jpg" in alice.get(MINE).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"document_removed", "document_restored"} <= actions


def test_a_removed_document_no_longer_opens_or_lists_for_staff(
    alice, client, login, clinician, patient
):
    _add(alice, "referral.pdf", PDF, kind="referral_letter")
    document = Document.objects.get()
    alice.post(reverse("documents:mine_remove", args=[document.pk]))
    staff = login(clinician)
    assert staff.get(reverse("documents:open", args=[document.pk])).status_code == 404


def test_another_patient_cannot_remove_or_restore_alices_upload(
    alice, client, patient, other_patient
):
    _add(alice, "card.jpg", JPEG)
    document = Document.objects.get()
    client.force_login(other_patient)
    assert client.get(reverse("documents:mine_remove", args=[document.pk])).status_code == 404
    assert client.post(reverse("documents:mine_remove", args=[document.pk])).status_code == 404
    assert client.post(reverse("documents:mine_restore", args=[document.pk])).status_code == 404
    assert "card.jpg" not in client.get(MINE).content.decode()
    document.refresh_from_db()
    assert document.removed_at is None


def test_patients_do_not_get_files_back_even_their_own(alice):
    _add(alice, "card.jpg", JPEG)
    document = Document.objects.get()
    assert alice.get(reverse("documents:open", args=[document.pk])).status_code == 403


@pytest.mark.parametrize(("role", "status"), [("clinician", 200), ("coordinator", 200)])
def test_insurance_card_opens_for_front_desk_and_clinicians(alice, login, people, role, status):
    _add(alice, "card.jpg", JPEG)
    document = Document.objects.get()
    staff = login(people[role])
    assert staff.get(reverse("documents:open", args=[document.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), [("clinician", 200), ("coordinator", 403)])
def test_a_patients_imaging_report_opens_for_clinicians_only(alice, login, people, role, status):
    _add(alice, "MRI.pdf", PDF, kind="imaging_report")
    document = Document.objects.get()
    staff = login(people[role])
    assert staff.get(reverse("documents:open", args=[document.pk])).status_code == status


@pytest.mark.parametrize("role", ["clinician", "coordinator", "clinic_admin"])
def test_staff_cannot_use_the_patients_upload_page(login, people, role):
    assert login(people[role]).get(MINE).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(MINE).status_code == 302


def test_the_care_step_links_to_the_uploads_and_lists_them(alice, patient):
    from intake import services

    services.start_intake(patient=patient)
    _add(alice, "card front.jpg", JPEG)
    html = alice.get(reverse("intake:step", args=["care"])).content.decode()
    assert MINE in html and "Insurance card, front: card front.jpg" in html
