from django.conf import settings
from django.db import models
from django.db.models import Q

OPEN_STATUSES = ("in_progress", "submitted", "in_review", "waiting_for_patient")


class IntakeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_patient(self, user):
        return self.filter(patient=user)


class Intake(models.Model):
    """One patient's questionnaire: the draft while they type, the record once submitted."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        WAITING_FOR_PATIENT = "waiting_for_patient", "Waiting for patient"
        APPROVED = "approved", "Approved for consultation"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred elsewhere"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intakes"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.IN_PROGRESS)
    questionnaire_version = models.CharField(max_length=20)
    # Validated answers, keyed by question key (see intake/questions.py).
    answers = models.JSONField(default=dict, blank=True)
    # What the patient last typed on each step, valid or not: {step: {field: [values]}}.
    # Shown back (with its errors) so nothing typed is ever lost.
    drafts = models.JSONField(default=dict, blank=True)
    visited_steps = models.JSONField(default=list, blank=True)
    current_step = models.CharField(max_length=20, default="about")
    # Derived at each save, stored metric because dosing is by weight.
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # Snapshot of the computed scores at submission (instrument -> {value, band, ...}).
    scores = models.JSONField(default=dict, blank=True)
    mme_total = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    phq9_item9_positive = models.BooleanField(default=False)
    consent_text = models.ForeignKey(
        "ConsentText", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_signed_name = models.CharField(max_length=200, blank=True)
    consent_signed_at = models.DateTimeField(null=True, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_intake_per_patient",
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Intake #{self.pk} ({self.get_status_display()})"

    @property
    def is_editable_by_patient(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class ConsentText(models.Model):
    """The clinic's consent wording. Editing creates a new version; old ones stay as signed."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Consent to ketamine infusion assessment")
    body = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Consent v{self.version}"

    @classmethod
    def current(cls):
        return cls.objects.order_by("-version").first()


class UrgentAlert(models.Model):
    """A safety item staff must see at once (PHQ-9 item 9 above 0) until a clinician acts."""

    class Kind(models.TextChoices):
        PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9 positive (thoughts of self-harm)"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open alert of a kind per intake: saving the step again does not pile up alerts.
            models.UniqueConstraint(
                fields=["intake", "kind"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_open_alert_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — intake #{self.intake_id}"
