"""After the consultation: its outcome, the treatment course, and the outcome check-ins.

The infusions of a course are `Appointment` rows (kind "infusion") with `course` set; the
series planner (`consultations/course.py`) proposes them and the course service books them
all in one transaction. These models hold state and facts about one row only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ConsultationOutcome(models.Model):
    """What the clinician decided at a consultation. Only "proceed" lets staff plan a course."""

    class Decision(models.TextChoices):
        PROCEED = "proceed", "Proceed to a course of infusions"
        NOT_SUITABLE = "not_suitable", "Not suitable"
        NEEDS_TESTS = "needs_tests", "Needs tests first"

    appointment = models.OneToOneField(
        "consultations.Appointment", on_delete=models.PROTECT, related_name="outcome"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_outcomes"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    # CRPS: the Budapest signs the examiner found (codes of consultations/budapest.py SIGNS,
    # each in one of 4 categories); criteria need signs in >= 2 of 4 categories.
    budapest_signs = models.JSONField(default=list, blank=True)
    # Needs tests: the checklist item codes (ECG, labs, ...) asked for.
    tests_needed = models.JSONField(default=list, blank=True)
    # Clinical note for staff; never sent to the patient.
    note = models.TextField(blank=True)
    # The kind message sent to the patient (not suitable / needs tests), as sent.
    patient_message = models.TextField(blank=True)
    message_template = models.ForeignKey(
        "consultations.OutcomeMessageTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A later outcome replaces this one in place; the earlier versions are OutcomeRevision
    # rows. The reason says why this version replaced the one before.
    version = models.PositiveSmallIntegerField(default=1)
    correction_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} (appointment #{self.appointment_id})"

    @property
    def lets_staff_plan(self) -> bool:
        return self.decision == self.Decision.PROCEED


class CourseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Course.Status.ACTIVE)


class Course(models.Model):
    """A series of infusions (kind "series", 4-6 over about two weeks) or one booster."""

    class Kind(models.TextChoices):
        SERIES = "series", "Infusion series"
        BOOSTER = "booster", "Booster infusion"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses"
    )
    outcome = models.ForeignKey(
        ConsultationOutcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A booster belongs to the series it follows.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="boosters"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SERIES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    planned_count = models.PositiveSmallIntegerField()
    window_days = models.PositiveSmallIntegerField(default=14)
    # The planner's constraints as chosen: {"weekdays_only": bool, "min_gap_days": int,
    # "preferred_time": "morning"|"afternoon"|"" }.
    constraints = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_count__gte=1, planned_count__lte=12),
                name="course_planned_count_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class CheckInQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def open(self, now):
        """Due and still open: what the patient is asked to fill in now."""
        return self.filter(completed_at__isnull=True, due_at__lte=now).exclude(closes_at__lte=now)

    def due(self, now):
        return self.filter(completed_at__isnull=True, due_at__lte=now)


class CheckIn(models.Model):
    """A short outcome questionnaire: before an infusion, or a follow-up after the course."""

    class Kind(models.TextChoices):
        PRE_INFUSION = "pre_infusion", "Before an infusion"
        WEEK_1 = "week_1", "1 week after the course"
        WEEK_4 = "week_4", "4 weeks after the course"
        WEEK_12 = "week_12", "12 weeks after the course"
        MONTHLY = "monthly", "Monthly follow-up"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    # Pre-infusion check-ins belong to their infusion.
    appointment = models.ForeignKey(
        "consultations.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField()
    # Answers keyed like the intake's questions (peg_pain, phq9_1, gad7_1, ...), scores
    # computed by intake.scoring ({"peg": 6.3, "phq9": 8, "gad7": 5, "mme": 40, "pgic": 5}).
    answers = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # After this the check-in is missed (the infusion started; two weeks for a follow-up):
    # a missed one stays as a row, so outcomes see the gap instead of the last good value.
    closes_at = models.DateTimeField(null=True, blank=True)
    # The urgent alert a PHQ-9 item 9 above 0 in this check-in raised (or joined).
    alert = models.ForeignKey(
        "intake.UrgentAlert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["patient", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind"],
                condition=~Q(kind__in=["pre_infusion", "monthly"]),
                name="one_follow_up_of_a_kind_per_course",
            ),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(kind="pre_infusion"),
                name="one_pre_infusion_check_in_per_infusion",
            ),
            models.UniqueConstraint(
                fields=["course", "kind", "due_at"],
                condition=Q(kind="monthly"),
                name="one_monthly_check_in_per_course_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} check-in #{self.pk}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def is_open(self, now) -> bool:
        return (
            self.completed_at is None
            and self.due_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )

    def is_missed(self, now) -> bool:
        return self.completed_at is None and self.closes_at is not None and now >= self.closes_at

    @property
    def is_follow_up(self) -> bool:
        return self.kind != self.Kind.PRE_INFUSION


class BoosterRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=BoosterRequest.Status.OPEN)


class BoosterRequest(models.Model):
    """A patient asking for a booster infusion from the portal; staff book it or answer."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the clinic"
        BOOKED = "booked", "Booster booked"
        DECLINED = "declined", "Not booked"
        WITHDRAWN = "withdrawn", "Withdrawn by the patient"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booster_requests"
    )
    # The course whose relief the request is about (the latest one at the time).
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="booster_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Staff's reason when not booking (shown to staff only); the booster when booked.
    reason = models.CharField(max_length=200, blank=True)
    booster = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = BoosterRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="open"), name="one_open_booster_request"
            )
        ]

    def __str__(self) -> str:
        return f"Booster request #{self.pk} ({self.get_status_display()})"


class BoosterSnooze(models.Model):
    """Staff set a booster prompt aside until a date, with a reason (the prompt returns then)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booster_snoozes"
    )
    until = models.DateField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Undo: a snooze withdrawn puts the prompt back at once (kept for the record).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Booster prompt set aside until {self.until}"
