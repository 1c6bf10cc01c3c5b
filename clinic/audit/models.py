"""The audit trail: who read or changed which patient's data, when and from where.

Rows are append-only. The model refuses to update or delete a saved row, and on
PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE on the table itself.
Actor and patient are foreign keys without a database constraint and with DO_NOTHING,
so deleting a user never cascades into (or is blocked by) the trail.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    """Raised when code tries to change or remove an audit row."""


class Action(models.TextChoices):
    """Actions this app records; services may record other verbs (e.g. "role_granted")."""

    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")

    def for_patient(self, patient_id: int):
        return self.filter(patient_id=patient_id)

    def views(self):
        return self.filter(action__in=(Action.VIEW, Action.EXPORT))


def _not_cascaded(to, related_name):
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name=related_name,
    )


class AuditEvent(models.Model):
    """One read or write of patient data (or another security-relevant act)."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Who: the user and, frozen at the time, their name and role.
    actor = _not_cascaded(settings.AUTH_USER_MODEL, "+")
    actor_label = models.CharField(max_length=300, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    # What.
    action = models.CharField(max_length=40)
    patient = _not_cascaded(settings.AUTH_USER_MODEL, "+")
    patient_label = models.CharField(max_length=300, blank=True)
    target_type = models.CharField(max_length=100, blank=True)  # "intake.intake"
    target_id = models.CharField(max_length=64, blank=True)
    view_name = models.CharField(max_length=100, blank=True)  # "staff:intake"
    path = models.CharField(max_length=300, blank=True)  # never the query string
    # From where.
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # For writes: {"changes": {field: [old, new]}}; otherwise any context worth keeping.
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="audit_patient_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
