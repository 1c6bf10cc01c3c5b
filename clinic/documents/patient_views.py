"""The patient's own uploads (insurance card, ID, letters, records), from the intake or
after submitting: add, list their own file names, remove with confirmation, undo.

Patients never get a file back from here (the bytes go only through documents:open, for
staff who may open that kind); they see the names they gave. Every page is audited.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from clinic.accounts.access import require
from clinic.audit import reads
from clinic.core.redirects import safe_next

from . import services
from .forms import PatientDocumentForm
from .kinds import PATIENT_LABELS
from .models import Document

# Enough for both sides of two cards, an ID and a stack of letters; more is a phone call.
MAX_UPLOADS = 20


def _back(request) -> str:
    """Where "Back" goes: the intake step that linked here, else the portal."""
    return safe_next(request, reverse("intake:portal"))


def _to_list(back: str):
    return redirect(reverse("documents:mine") + "?" + urlencode({"next": back}))


def _own(request, pk, *, removed: bool) -> Document:
    documents = Document.objects.uploaded_by_patient(request.user)
    return get_object_or_404(documents, pk=pk, removed_at__isnull=not removed)


def rows(patient) -> list[dict]:
    """The patient's uploads as they read them: what it is, the name they gave, when."""
    return [
        {"document": d, "label": PATIENT_LABELS.get(d.kind, d.get_kind_display())}
        for d in services.patient_uploads(patient)
    ]


@require("use_patient_portal")
def mine(request):
    back = _back(request)
    form = PatientDocumentForm(request.POST or None, request.FILES or None)
    uploads = rows(request.user)
    if request.method == "POST" and len(uploads) >= MAX_UPLOADS:
        form.add_error(
            None,
            f"You have added {MAX_UPLOADS} documents, the most we take here. "
            "Remove one first, or call the clinic.",
        )
    elif request.method == "POST" and form.is_valid():
        document = services.store_document(
            patient=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            actor=request.user,
        )
        reads.changed(request, document, action="document_uploaded")
        messages.success(
            request, f"Added: {PATIENT_LABELS[document.kind]} ({document.original_name})."
        )
        return _to_list(back)
    reads.viewed(request, request.user, action="documents_listed")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "uploads": uploads,
        "back": back,
        "max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "documents/mine.html", context, status=status)


@require("use_patient_portal")
def remove(request, pk):
    """Asks first; removing takes it out of the clinic's view, and can be undone."""
    document, back = _own(request, pk, removed=False), _back(request)
    if request.method == "POST":
        services.remove_document(document=document, actor=request.user, now=timezone.now())
        reads.changed(request, document, action="document_removed")
        return render(
            request,
            "documents/mine_removed.html",
            {"document": document, "label": PATIENT_LABELS.get(document.kind), "back": back},
        )
    reads.viewed(request, document)
    context = {"document": document, "label": PATIENT_LABELS.get(document.kind), "back": back}
    return render(request, "documents/mine_remove.html", context)


@require("use_patient_portal")
@require_POST
def restore(request, pk):
    document = services.restore_document(document=_own(request, pk, removed=True))
    reads.changed(request, document, action="document_restored")
    messages.success(
        request, f"Put back: {PATIENT_LABELS.get(document.kind)} ({document.original_name})."
    )
    return _to_list(_back(request))
