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
    LIST = "list", "Listed"  # a page listing several patients: one row, `patient_ids`


# Built once: TextChoices.choices builds its list anew on each read, a row of the
# "who viewed" panel read it once a line.
ACTION_LABELS = dict(Action.choices)

# What each audited page is, in words, for the "who viewed" panel and the audit page.
PAGE_LABELS = {
    "staff:dashboard": "Review queue",
    "staff:intake": "Intake review page",
    "staff:intake_action": "Intake review page",
    "staff:intake_export": "Answers export (CSV)",
    "staff:intake_summary_pdf": "Printed summary (PDF)",
    "schedule:day": "Calendar (day)",
    "schedule:week": "Calendar (week)",
    "schedule:today": "Today's list",
    "schedule:day_sheet": "Day sheet",
    "schedule:search": "Appointment search",
    "schedule:home": "Schedules (bookings outside hours)",
    "schedule:provider_hours": "Provider hours (bookings outside hours)",
    "schedule:patients": "Patient search",
    "schedule:book": "Booking for a patient",
    "schedule:confirm": "Booking for a patient",
    "schedule:move": "Moving an appointment",
    "schedule:change_status": "Appointment check-in, completion or no-show",
    "schedule:cancel": "Cancelling an appointment",
    "schedule:cohort": "Outcomes by diagnosis (cohort)",
    "schedule:cohort_export": "Outcomes by diagnosis (CSV)",
    "schedule:undo": "Undoing an appointment's last change",
    "schedule:outcome": "Consultation outcome",
    "schedule:record": "Infusion record",
    "schedule:record_part": "Infusion record",
    "schedule:course_plan": "Planning a course of infusions",
    "schedule:course_book": "Booking a course of infusions",
    "schedule:course": "Course of infusions",
    "schedule:course_cancel": "Cancelling a course of infusions",
    "schedule:course_undo": "Undoing a course's cancellation",
    "schedule:patient_checkins": "Patient's check-ins",
    "schedule:boosters": "Boosters to offer",
    "messages:log": "Message log",
    "messages:detail": "Message details",
    "audit:export": "Audit export (CSV)",
    "staff:patient": "Patient page",
    "staff:patient_contact": "Patient page",
    "documents:open": "Document",
    "documents:upload": "Attaching a document",
    "documents:mine": "Patient's own documents",
    "documents:mine_remove": "Patient removing a document",
    "documents:mine_restore": "Patient putting a document back",
}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")

    def involving(self, patient_id: int):
        """Events about this patient, including list pages that showed them."""
        return self.filter(
            models.Q(patient_id=patient_id) | models.Q(patient_ids__contains=f",{patient_id},")
        )

    def record_views(self):
        """Who opened or exported a record (not list pages that merely showed a name)."""
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
    # Every patient a list page showed, as ",12,40,": one row per request however long the
    # list (a row per patient would be one INSERT per row on SQLite's 999-parameter limit).
    patient_ids = models.TextField(blank=True)
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
            # In the order "who viewed this record" reads them (newest, then the latest
            # id): the panel reads its 20 rows off the index, however often the record
            # was opened, rather than every view of the patient sorted (issue 15).
            models.Index(fields=["patient", "-occurred_at", "-id"], name="audit_patient_seen_idx"),
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

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action) or self.action.replace("_", " ").capitalize()

    @property
    def page_label(self) -> str:
        return PAGE_LABELS.get(self.view_name, self.view_name or self.path or "")

    @property
    def patient_id_list(self) -> list[int]:
        return [int(i) for i in self.patient_ids.strip(",").split(",") if i]
