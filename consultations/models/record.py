"""What staff write down: the consultation outcome's wording and history, and the infusion
record (arrival, vitals, side effects, discharge), signed and then corrected only by
appending.

The app records what staff enter and never computes or suggests a dose: there is no dose
field, only the medication as charted, in the clinician's own words.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .course import ConsultationOutcome


class OutcomeMessageTemplate(models.Model):
    """Clinic-editable wording for a consultation outcome (like intake's DeclineTemplate):
    a title staff pick, and the kind words the patient reads in the portal."""

    Decision = ConsultationOutcome.Decision

    decision = models.CharField(max_length=20, choices=Decision.choices)
    title = models.CharField(max_length=120, help_text="What staff pick from.")
    patient_message = models.TextField(
        help_text="Shown to the patient in the portal. Kind, plain and never clinical."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["decision", "position", "title"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.title}"


class OutcomeRevision(models.Model):
    """An outcome as it stood before a later one replaced it (kept, shown as history)."""

    outcome = models.ForeignKey(
        "consultations.ConsultationOutcome", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=20)
    budapest_signs = models.JSONField(default=list, blank=True)
    tests_needed = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    patient_message = models.TextField(blank=True)
    correction_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    # Why it was replaced, by whom and when (the replacing version's reason).
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    superseded_at = models.DateTimeField()
    superseded_reason = models.TextField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "version"], name="one_outcome_revision")
        ]

    def __str__(self) -> str:
        return f"Outcome #{self.outcome_id}, version {self.version}"


class InfusionRecordQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)


class InfusionRecord(models.Model):
    """One infusion as it happened. Signed by a clinician, then read-only: a change after
    signing is a RecordCorrection (old value, new value, reason)."""

    appointment = models.OneToOneField(
        "consultations.Appointment", on_delete=models.PROTECT, related_name="infusion_record"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="infusion_records"
    )
    # The front desk may write these three (arrival, discharge, driver).
    arrived_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    driver_name = models.CharField(max_length=120, blank=True)
    # Clinical: clinicians only.
    medication_as_charted = models.TextField(
        blank=True, help_text="As charted by the clinician. The app never suggests a dose."
    )
    stopped_early = models.BooleanField(default=False)
    stopped_early_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = InfusionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_early=False) | ~Q(stopped_early_reason=""),
                name="infusion_stopped_early_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(signed_by__isnull=False),
                name="infusion_record_signed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Infusion record #{self.pk} (appointment #{self.appointment_id})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class VitalsReading(models.Model):
    """Vitals at one moment (before, during, after), with the side effects seen then."""

    class Phase(models.TextChoices):
        BEFORE = "before", "Before"
        DURING = "during", "During"
        AFTER = "after", "After"

    class Severity(models.IntegerChoices):
        NONE = 0, "None"
        MILD = 1, "Mild"
        MODERATE = 2, "Moderate"
        SEVERE = 3, "Severe"

    record = models.ForeignKey(InfusionRecord, on_delete=models.CASCADE, related_name="readings")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    nausea = models.PositiveSmallIntegerField(null=True, blank=True, choices=Severity.choices)
    dissociation = models.PositiveSmallIntegerField(null=True, blank=True, choices=Severity.choices)
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True, choices=Severity.choices)
    headache = models.PositiveSmallIntegerField(null=True, blank=True, choices=Severity.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} reading at {self.taken_at:%H:%M}"


class RecordCorrection(models.Model):
    """A change to a signed infusion record: appended, never edited or removed."""

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="corrections")
    # The record's field name, or "reading:<pk>:<field>" for a reading's value.
    field = models.CharField(max_length=60)
    field_label = models.CharField(max_length=120)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"Correction of {self.field_label} on record #{self.record_id}"
