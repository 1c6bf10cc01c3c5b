"""A document staff (or, later, the patient) attached to a patient's record.

The file lives in Django's default storage (the filesystem under var/ in development,
S3-compatible storage in production; settings.STORAGES) under a random name that carries no
patient data; it is only ever served through documents:open, which checks and audits.
"""

import uuid

from django.conf import settings
from django.db import models

from .kinds import CHOICES, KIND_BY_CODE


def _storage_name(instance, filename: str) -> str:
    # The name the patient or sender gave is kept in the row, never in the storage key.
    return f"documents/{uuid.uuid4().hex}{instance.extension}"


class DocumentQuerySet(models.QuerySet):
    def current(self):
        """Not removed."""
        return self.filter(removed_at__isnull=True)

    def uploaded_by_patient(self, patient):
        """What this patient uploaded themselves (not what staff filed for them)."""
        return self.filter(patient=patient, uploaded_by=patient)


class Document(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=CHOICES)
    file = models.FileField(upload_to=_storage_name, max_length=200)
    content_type = models.CharField(max_length=40)  # from the content, not the browser
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A patient who removes an upload can undo it: the row and file stay, out of every list.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def clinical(self) -> bool:
        kind = KIND_BY_CODE.get(self.kind)
        return kind is None or kind.clinical  # an unknown kind is treated as clinical
