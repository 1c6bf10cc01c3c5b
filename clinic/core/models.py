from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """One row per beat tick, written by the worker: proof that beat and worker both run."""

    source = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


def default_reminder_offsets() -> list[dict]:
    return [
        {"hours": 72, "channels": ["email"]},
        {"hours": 24, "channels": ["email", "sms"]},
        {"hours": 2, "channels": ["sms"]},
    ]


class ClinicSettings(models.Model):
    """Settings the clinic admin edits in the app (one row).

    Saved only through `clinic.core.settings_services`, which records each change. The row
    is also the lock that orders the clinic's versioned texts (screening policy, consent).
    """

    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="Patients may reschedule or cancel online until this many hours before.",
    )
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        help_text="Appointment reminders: hours before, and by email and/or SMS.",
    )
    course_infusions = models.PositiveSmallIntegerField(
        default=6, help_text="Infusions in a new course (4 to 6): the planner's default."
    )
    course_window_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days a new course is planned within, from its first date."
    )
    infusion_preparation = models.TextField(
        blank=True,
        # Neutral on purpose: eating and medicine instructions are the clinic's to write.
        default=(
            "Please arrive 15 minutes early, wear comfortable clothes and bring a list of "
            "the medicines you take."
        ),
        help_text="Plain text in the day-before message for each infusion (no clinical details).",
    )
    # None: staff are prompted only when a responder's relief fades (consultations.outcomes).
    booster_interval_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Prompt staff to offer a booster this many weeks after a patient's last "
        "infusion. Leave empty to prompt only when the relief fades.",
    )
    on_call_clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Alerted at once when a patient reports thoughts of self-harm.",
    )
    # Infusion vitals outside these limits are highlighted on the infusion record (a value
    # on a limit is inside it). A highlight for the clinician, never advice or a dose.
    vitals_systolic_min = models.PositiveSmallIntegerField("Systolic BP, lowest (mmHg)", default=90)
    vitals_systolic_max = models.PositiveSmallIntegerField(
        "Systolic BP, highest (mmHg)", default=160
    )
    vitals_diastolic_min = models.PositiveSmallIntegerField(
        "Diastolic BP, lowest (mmHg)", default=50
    )
    vitals_diastolic_max = models.PositiveSmallIntegerField(
        "Diastolic BP, highest (mmHg)", default=100
    )
    vitals_heart_rate_min = models.PositiveSmallIntegerField("Heart rate, lowest (bpm)", default=50)
    vitals_heart_rate_max = models.PositiveSmallIntegerField(
        "Heart rate, highest (bpm)", default=110
    )
    vitals_spo2_min = models.PositiveSmallIntegerField("SpO2, lowest (%)", default=92)

    class Meta:
        verbose_name_plural = "clinic settings"

    def __str__(self) -> str:
        return "Clinic settings"

    @classmethod
    def load(cls) -> "ClinicSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SettingsChange(models.Model):
    """One saved change to a clinic setting: who, when, and each field's old and new value."""

    class Section(models.TextChoices):
        CANCELLATION_WINDOW = "cancellation_window", "Cancellation window"
        REMINDERS = "reminders", "Reminders and on-call clinicians"
        SCREENING_POLICY = "screening_policy", "Screening policy"
        CONSENT_TEXT = "consent_text", "Consent text"
        COURSE = "course", "Infusion courses"
        VITALS_LIMITS = "vitals_limits", "Infusion vitals limits"
        BOOSTERS = "boosters", "Booster prompts"

    section = models.CharField(max_length=30, choices=Section.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # {field label: {"old": value, "new": value}}, values as shown to staff (text, numbers).
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_section_display()} changed at {self.changed_at:%Y-%m-%d %H:%M}"
