"""Documents: the type is read from the content, size is capped, files are reachable only
through the checked view, coordinators file clinical papers but cannot open them, and every
upload and opening is audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.documents import access, signatures
from clinic.documents.models import Document
from clinic.documents.services import store_document

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64  # a Windows program's first bytes


# ------------------------------------------------------------------- pure sniffing


@pytest.mark.parametrize(
    ("head", "mime"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_accepted_types_are_recognised_by_their_first_bytes(head, mime):
    assert signatures.sniff(head[: signatures.HEAD_BYTES]).mime == mime


@pytest.mark.parametrize(
    "head", [EXE, b"", b"<html><script>", b"GIF89a", b"PK\x03\x04", b" %PDF-1.7"]
)
def test_anything_else_is_not_recognised(head):
    assert signatures.sniff(head) is None


# --------------------------------------------------------------------- uploading


def _upload(client, patient, name, content, kind="referral_letter", **extra):
    url = reverse("documents:upload", args=[patient.pk])
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(url, {"kind": kind, "file": upload, **extra})


@pytest.mark.parametrize(
    ("name", "content", "mime", "ext"),
    [
        ("referral.pdf", PDF, "application/pdf", ".pdf"),
        ("ecg.PNG", PNG, "image/png", ".png"),
        ("labs scan.jpeg", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_coordinator_attaches_pdf_png_and_jpeg(
    login, coordinator, patient, name, content, mime, ext
):
    response = _upload(login(coordinator), patient, name, content, next="/staff/")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    document = Document.objects.get()
    assert (document.patient, document.uploaded_by) == (patient, coordinator)
    assert (document.content_type, document.extension, document.size) == (mime, ext, len(content))
    assert document.original_name == name
    # Stored under a random name that says nothing about the patient or the file.
    assert document.file.name.startswith("documents/") and name not in document.file.name
    assert document.file.read() == content
    event = AuditEvent.objects.get(action="document_uploaded")
    assert (event.patient_id, event.actor_id) == (patient.pk, coordinator.pk)
    assert event.target_id == str(document.pk)


def test_a_renamed_program_is_refused_with_a_message_next_to_the_field(login, clinician, patient):
    response = _upload(login(clinician), patient, "ecg.pdf", EXE, kind="ecg")
    assert response.status_code == 400
    html = response.content.decode()
    assert "content is none of them, whatever its name says" in html
    assert 'id="error_1_id_file"' in html  # crispy's message under the file field
    assert 'value="ecg" selected' in html  # what was chosen is kept
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="document_uploaded").exists()


def test_an_oversized_file_is_refused_with_the_limit(login, clinician, patient, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = _upload(login(clinician), patient, "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not Document.objects.exists()


def test_an_empty_file_and_a_missing_kind_are_refused(login, clinician, patient):
    client = login(clinician)
    response = _upload(client, patient, "empty.pdf", b"")
    assert response.status_code == 400 and "This file is empty." in response.content.decode()
    response = _upload(client, patient, "r.pdf", PDF, kind="")
    assert response.status_code == 400
    assert "Say what the document is." in response.content.decode()
    assert not Document.objects.exists()


def test_a_path_in_the_file_name_is_reduced_to_its_last_part(login, clinician, patient):
    _upload(login(clinician), patient, "..\\..\\etc\\referral.pdf", PDF)
    assert Document.objects.get().original_name == "referral.pdf"


@pytest.mark.parametrize("role", ["patient", "other_patient"])
def test_patients_cannot_use_the_staff_upload(login, people, patient, role):
    assert _upload(login(people[role]), patient, "r.pdf", PDF).status_code == 403
    assert not Document.objects.exists()


def test_staff_cannot_attach_to_a_non_patient(login, clinician, coordinator):
    assert _upload(login(clinician), coordinator, "r.pdf", PDF).status_code == 404


# ----------------------------------------------------------------------- opening


@pytest.fixture
def referral(patient, coordinator):
    upload = SimpleUploadedFile("Referral AF.pdf", PDF)
    return store_document(patient=patient, kind="referral_letter", upload=upload, actor=coordinator)


@pytest.fixture
def insurance(patient, coordinator):
    upload = SimpleUploadedFile("card.png", PNG)
    return store_document(patient=patient, kind="insurance_card", upload=upload, actor=coordinator)


def _open(client, document):
    return client.get(reverse("documents:open", args=[document.pk]))


def test_clinician_opens_a_referral_and_the_opening_is_audited(login, clinician, referral):
    response = _open(login(clinician), referral)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="referral-af.pdf"' in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="view", target_id=str(referral.pk))
    assert event.actor_id == clinician.pk and event.patient_id == referral.patient_id


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 403),
        ("clinic_admin", 403),
        ("patient", 403),
        ("other_patient", 403),
    ],
)
def test_only_clinicians_open_clinical_documents(login, people, referral, role, status):
    assert _open(login(people[role]), referral).status_code == status
    assert not AuditEvent.objects.filter(action="view", target_id=str(referral.pk)).exists()


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinic_admin"])
def test_front_desk_papers_open_for_every_staff_role(login, people, insurance, role):
    assert _open(login(people[role]), insurance).status_code == 200


def test_anonymous_is_sent_to_log_in_and_a_missing_document_is_404(
    client, login, clinician, referral
):
    assert _open(client, referral).status_code == 302
    url = reverse("documents:open", args=[referral.pk + 100])
    assert login(clinician).get(url).status_code == 404


def test_media_url_serves_nothing(client, login, clinician, referral):
    response = login(clinician).get("/media/" + referral.file.name)
    assert response.status_code == 404


def test_coordinator_sees_the_kind_but_not_the_senders_file_name(coordinator, clinician, referral):
    assert access.shown_name(coordinator, referral) == "Referral letter"
    assert access.shown_name(clinician, referral) == "Referral AF.pdf"


def test_review_page_lists_documents_with_a_link_only_for_who_may_open(
    login, clinician, coordinator, referral, patient
):
    from intake import demo

    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    url = reverse("staff:intake", args=[intake.pk])
    opened = reverse("documents:open", args=[referral.pk])
    html = login(clinician).get(url).content.decode()
    assert "Referral AF.pdf" in html and opened in html
    html = login(coordinator).get(url).content.decode()
    assert "Referral letter" in html and "Referral AF.pdf" not in html and opened not in html
