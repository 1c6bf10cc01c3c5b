"""Filing and reading documents through Django's storage API (any configured backend)."""

import hashlib
from pathlib import PurePath

from django.core.files import File
from django.db import transaction

from . import access, signatures
from .models import Document


def _clean_name(name: str) -> str:
    # Only the last path part, printable, short: it is shown to staff, never used as a path.
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "document"
    return base[-200:]


@transaction.atomic
def store_document(*, patient, kind: str, upload, actor) -> Document:
    """Save the file under a random name and its row; the type was read from the content."""
    found = getattr(upload, "detected", None) or signatures.sniff(
        upload.read(signatures.HEAD_BYTES)
    )
    if found is None:
        raise ValueError("not an accepted file type")  # the form refuses these first
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        patient=patient,
        kind=kind,
        content_type=found.mime,
        extension=found.extension,
        size=upload.size,
        sha256=digest.hexdigest(),
        original_name=_clean_name(upload.name),
        uploaded_by=actor,
    )
    document.file.save("upload", File(upload), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)  # no row, so no file left behind without one
        raise
    return document


def for_patient(patient) -> list[Document]:
    return list(listed_for(patient.pk))


def listed_for(patient_id):
    """The patient's documents as the panel lists them (`patient_id` a value or a
    subquery giving one)."""
    return Document.objects.current().filter(patient_id=patient_id).select_related("uploaded_by")


def patient_uploads(patient) -> list[Document]:
    """What the patient uploaded and has not removed, newest first (one query)."""
    return list(Document.objects.current().uploaded_by_patient(patient))


@transaction.atomic
def remove_document(*, document: Document, actor, now) -> Document:
    """Take the document out of every list; the row and file stay, so it can be undone."""
    Document.objects.filter(pk=document.pk, removed_at__isnull=True).update(
        removed_at=now, removed_by=actor
    )
    document.refresh_from_db()
    return document


@transaction.atomic
def restore_document(*, document: Document) -> Document:
    """Undo a removal: the document is listed and opens again."""
    Document.objects.filter(pk=document.pk).update(removed_at=None, removed_by=None)
    document.refresh_from_db()
    return document


def _type_label(mime: str) -> str:
    found = signatures.BY_MIME.get(mime)
    return found.label if found else mime


def panel(*, user, patient, back: str, documents: list[Document] | None = None) -> dict:
    """The context templates/documents/_panel.html needs (one query, none if the page read
    the patient's `documents` already: listed_for)."""
    if documents is None:
        documents = for_patient(patient)
    rows = [
        {
            "document": document,
            "can_open": access.can_open(user, document),
            "name": access.shown_name(user, document),
            "type_label": _type_label(document.content_type),
        }
        for document in documents
    ]
    return {
        "documents": rows,
        "patient": patient,
        "can_upload": access.can_upload(user),
        "back": back,
    }
