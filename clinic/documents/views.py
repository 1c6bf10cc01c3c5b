"""Staff pages for documents: file one for a patient, and open one (checked and audited).

Files are never served from MEDIA_URL: the only way to a document's bytes is `open`,
which checks the reader may open that kind and writes the audit row first.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from clinic.accounts.access import require
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.audit import reads
from clinic.core.redirects import safe_next

from . import access, services
from .forms import DocumentForm
from .models import Document


def _default_back(patient) -> str:
    try:
        return reverse("staff:patient", args=[patient.pk])
    except NoReverseMatch:  # the app that shows patients is not installed
        return reverse("home")


@require("view_staff_dashboard")
def upload(request, pk):
    patient = get_object_or_404(User.objects.with_role(Role.PATIENT), pk=pk)
    if not access.can_upload(request.user):
        raise PermissionDenied
    back = safe_next(request, _default_back(patient))
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = services.store_document(
            patient=patient,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            actor=request.user,
        )
        reads.changed(request, document, action="document_uploaded")
        messages.success(request, f"{document.get_kind_display()} attached to {patient}.")
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "back": back}
    return render(request, "documents/upload.html", context, status=status)


@require("view_staff_dashboard")
def open_document(request, pk):
    document = get_object_or_404(Document.objects.current().select_related("patient"), pk=pk)
    if not access.can_open(request.user, document):
        raise PermissionDenied
    reads.viewed(request, document)
    stem = slugify(document.original_name.rsplit(".", 1)[0])[:80] or document.kind
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=f"{stem}{document.extension}",
    )
