from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from .screening import Severity, Triage


class IntakeStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    WAITING_FOR_PATIENT = "waiting_for_patient", "Waiting for patient"
    APPROVED = "approved", "Approved for consultation"
    DECLINED = "declined", "Declined"
    REFERRED = "referred", "Referred elsewhere"


# Not yet decided: a patient has at most one of these (one_open_intake_per_patient).
OPEN_STATUSES = (
    IntakeStatus.IN_PROGRESS,
    IntakeStatus.SUBMITTED,
    IntakeStatus.IN_REVIEW,
    IntakeStatus.WAITING_FOR_PATIENT,
)
AWAITING_REVIEW = (IntakeStatus.SUBMITTED, IntakeStatus.IN_REVIEW)
DECIDED_STATUSES = (IntakeStatus.APPROVED, IntakeStatus.DECLINED, IntakeStatus.REFERRED)


ABANDONED_AFTER_DAYS = 7


class IntakeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_patient(self, user):
        return self.filter(patient=user)

    def awaiting_review(self):
        return self.filter(status__in=AWAITING_REVIEW)

    def abandoned(self, now):
        """In progress with no change for a week."""
        cutoff = now - timedelta(days=ABANDONED_AFTER_DAYS)
        return self.filter(status=IntakeStatus.IN_PROGRESS, updated_at__lt=cutoff)

    def reopened(self):
        """Open again after a decision: a clinician reopened it (decided, then back)."""
        back_from_decision = IntakeEvent.objects.filter(
            intake=models.OuterRef("pk"),
            kind=IntakeEvent.Kind.STATUS,
            from_status__in=DECIDED_STATUSES,
        )
        return self.open().filter(models.Exists(back_from_decision))

    def queue_order(self):
        """Urgent safety first, then stop flags, then the rest by submission date."""
        return self.order_by("triage_rank", "submitted_at", "pk")


class Intake(models.Model):
    """One patient's questionnaire: the draft while they type, the record once submitted."""

    Status = IntakeStatus

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intakes"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.IN_PROGRESS)
    questionnaire_version = models.CharField(max_length=20)
    # Validated answers, keyed by question key (see intake/questionnaire/).
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
    # The latest submission after "request more information" (None: submitted once only).
    resubmitted_at = models.DateTimeField(null=True, blank=True)

    # Staff review. Denormalised from the answers and the screening at each (re)submission,
    # so the dashboard filters and sorts in the database.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_intakes",
    )
    # Empty until the intake is first screened.
    triage = models.CharField(max_length=10, blank=True, db_index=True, choices=Triage.choices())
    # Triage(triage).rank, stored so the queue sorts on an index.
    triage_rank = models.PositiveSmallIntegerField(default=9)
    screening_policy = models.ForeignKey(
        "ScreeningPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    mme_band = models.CharField(max_length=10, blank=True)
    phq9_band = models.CharField(max_length=20, blank=True)
    diagnosis_codes = models.CharField(max_length=400, blank=True)  # ",crps_1,migraine,"
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    # The patient's first name, last name and email, a line each, in capitals, kept by the
    # database (triggers, migration 0016) whatever the code writes: the queue's search reads
    # it off the row instead of joining the patient for each intake it passes (issue 15).
    patient_search = models.TextField(blank=True, default="", editable=False)
    # "Request more information": the sections reopened for the patient and the message.
    reopened_sections = models.JSONField(default=list, blank=True)
    info_request_message = models.TextField(blank=True)
    # Decision shown to the patient in the portal (kind and non-clinical).
    decline_template = models.ForeignKey(
        "DeclineTemplate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

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
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The queue's "abandoned" count: in progress, untouched for a week.
            models.Index(fields=["status", "updated_at"], name="intake_status_updated_idx"),
            models.Index(fields=["triage_rank", "submitted_at", "id"], name="intake_queue_idx"),
            # The coordinator's queue (oldest first, or newest) and the "Submitted" column's
            # sort: walked in order, not 40,000 awaiting rows sorted for 25 (100k intakes).
            models.Index(fields=["submitted_at", "id"], name="intake_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"Intake #{self.pk} ({self.get_status_display()})"

    @property
    def is_editable_by_patient(self) -> bool:
        return self.status in (self.Status.IN_PROGRESS, self.Status.WAITING_FOR_PATIENT)

    def patient_may_edit(self, step: str) -> bool:
        """While waiting for the patient, only the reopened sections (and review) are open."""
        if self.status == self.Status.IN_PROGRESS:
            return True
        if self.status == self.Status.WAITING_FOR_PATIENT:
            return step in self.reopened_sections or step == "review"
        return False

    @property
    def open_stop_flags(self):
        return [f for f in self.flags.all() if f.severity == Severity.STOP and f.cleared_at is None]


class IntakeStatusCount(models.Model):
    """How many intakes have each status, kept by the database itself.

    Triggers on intake_intake (migration 0014) add one when a row is inserted with a
    status or moves to it, and take one away when a row leaves it or is deleted, in the
    same transaction: bulk inserts, `.update()` and rollbacks keep it right too. The
    queue's tabs and its page count read these few rows instead of counting the table,
    which at 100,000 intakes took 150-200 ms a count (issue 15). Never written by Python.
    """

    status = models.CharField(max_length=24, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.status}: {self.n}"


class IntakeSubmission(models.Model):
    """The answers as they stood at one submission, so a resubmission shows what changed."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField()  # 1 for the first submission
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "number"], name="one_snapshot_per_submission")
        ]

    def __str__(self) -> str:
        return f"Submission {self.number} of intake #{self.intake_id}"


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


class ConsentSignature(models.Model):
    """A patient re-signing a newer consent version outside the intake (before booking).

    The intake keeps the signature given with it; these rows record each later one.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_signatures"
    )
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.consent_text} signed by patient #{self.patient_id}"


class UrgentAlert(models.Model):
    """A safety item staff must see at once (PHQ-9 item 9 above 0) until a clinician acts."""

    class Kind(models.TextChoices):
        PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9 positive (thoughts of self-harm)"
        # Raised by an outcome check-in during or after a course: its own kind, so it opens
        # its own alert (and email) even while an intake alert is still open, and the banner
        # opens the check-ins where the answer is marked.
        CHECKIN_PHQ9_ITEM9 = (
            "checkin_phq9_item9",
            "PHQ-9 item 9 positive in a check-in (thoughts of self-harm)",
        )

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

    @property
    def staff_route(self) -> tuple[str, int]:
        """The staff page where what raised the alert is shown: (URL name, id)."""
        if self.kind == self.Kind.CHECKIN_PHQ9_ITEM9:
            return "schedule:patient_checkins", self.intake.patient_id
        return "staff:intake", self.intake_id


class ScreeningPolicy(models.Model):
    """The clinic's policy: which screening findings stop a booking. Each edit is a version."""

    version = models.PositiveIntegerField(unique=True)
    severities = models.JSONField(default=dict, blank=True)  # rule code -> stop/caution/info
    pcptsd_cutoff = models.PositiveSmallIntegerField(default=3)
    reason = models.TextField(blank=True)  # why it changed (required since version reasons)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "screening policies"

    def __str__(self) -> str:
        return f"Screening policy v{self.version}"

    @classmethod
    def current(cls):
        return cls.objects.order_by("-version").first()


class IntakeFlag(models.Model):
    """One screening finding on one intake, with its reason and source; stop flags need
    a clinician to clear them, with a reason, before the patient may book."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10)
    source = models.CharField(max_length=200)
    message = models.TextField()
    detail = models.CharField(max_length=400, blank=True)
    triggers = models.JSONField(default=list, blank=True)  # [[question label, answer], ...]
    position = models.PositiveSmallIntegerField(default=0)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clear_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["intake", "code"], name="one_flag_per_code")]
        indexes = [models.Index(fields=["code", "severity"])]

    def __str__(self) -> str:
        return f"{self.severity}: {self.title}"


class IntakeEvent(models.Model):
    """The history of an intake: every status change, assignment, request and note."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        ASSIGNED = "assigned", "Assigned"
        INFO_REQUESTED = "info_requested", "More information requested"
        FLAG_CLEARED = "flag_cleared", "Flag cleared"
        NOTE = "note", "Internal note"
        SCREENED = "screened", "Screened"
        ALERT_ACKNOWLEDGED = "alert_ack", "Urgent alert acknowledged"
        PATIENT_NOTE = "patient_note", "Information added by the patient"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on intake #{self.intake_id}"


class DeclineTemplate(models.Model):
    """Clinic-editable reasons for declining, each with the kind words the patient sees."""

    title = models.CharField(max_length=120, help_text="What staff pick from.")
    patient_message = models.TextField(
        help_text="Shown to the patient in the portal. Kind, plain and never clinical."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """Where one suggested test or record (intake/checklist.py) stands for one intake.

    A row exists once staff record something; until then the item is only suggested.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Not yet requested"
        REQUESTED = "requested", "Requested"
        RECEIVED = "received", "Received"
        NOT_NEEDED = "not_needed", "Not needed"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUGGESTED)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "code"], name="one_checklist_item_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} on intake #{self.intake_id}: {self.get_status_display()}"


class ChecklistEvent(models.Model):
    """The history of a checklist item: every move, who made it and why."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=ChecklistItem.Status.choices)
    to_status = models.CharField(max_length=12, choices=ChecklistItem.Status.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.item})"
