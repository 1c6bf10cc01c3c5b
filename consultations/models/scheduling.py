from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Q


class Provider(models.Model):
    """A clinician who sees patients, with the time zone their hours are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider"
    )
    display_name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default=settings.CLINIC_TIME_ZONE)
    active = models.BooleanField(default=True)
    # Infusions run only while a supervising clinician is on duty (their working hours).
    supervises_infusions = models.BooleanField(
        default=False, help_text="May supervise infusions: their working hours cover chairs."
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Location(models.Model):
    class Kind(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        TELEHEALTH = "telehealth", "Telehealth (video)"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """When a location is open, per weekday (several intervals a day allowed).

    An infusion, recovery included, lies entirely inside these hours.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d)
            for i, d in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            )
        ]
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["location", "weekday", "start"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="opening_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Chair(models.Model):
    """One infusion chair: bookable by one infusion (and its recovery) at a time."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chair_set")
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="chair_name_per_location")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class AppointmentType(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial consultation"
        FOLLOW_UP = "follow_up", "Follow-up"
        INFUSION = "infusion", "Infusion"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        TELEHEALTH = "telehealth", "Telehealth"
        EITHER = "either", "In person or telehealth"

    class BookableBy(models.TextChoices):
        """Who may book the type, for which patients (rules in consultations/eligibility.py)."""

        PATIENT = "patient", "Any patient (self-service) and staff"
        NEW_PATIENT = (
            "new",
            "New patients, before a completed consultation (self-service) and staff",
        )
        RETURNING = "returning", "After a completed consultation (self-service) and staff"
        STAFF_AFTER_CONSULTATION = "staff_after", "Staff only, after a completed consultation"
        STAFF = "staff", "Staff only, any patient"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    # Longer than the cancellation window (24 h) by a day: a patient who books the earliest
    # time still has a day to move it online (eligibility.NOTICE_MARGIN_HOURS).
    min_notice_hours = models.PositiveSmallIntegerField(default=48)
    horizon_days = models.PositiveSmallIntegerField(default=60)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.EITHER)
    bookable_by = models.CharField(
        max_length=12, choices=BookableBy.choices, default=BookableBy.PATIENT
    )
    requires_approved_intake = models.BooleanField(default=False)
    uses_chair = models.BooleanField(default=False)
    chair_recovery_minutes = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def allows(self, mode: str) -> bool:
        return self.mode == self.Mode.EITHER or self.mode == mode


class WorkingHours(models.Model):
    """A provider's weekly hours: several intervals a day, each valid over a date range."""

    WEEKDAYS = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class DateOverrideQuerySet(models.QuerySet):
    def overlapping(self, first, last):
        """Entries with at least one date in first..last (both inclusive)."""
        return self.filter(start_date__lte=last, end_date__gte=first)


class DateOverride(models.Model):
    """Time off, extra hours for one provider, or a clinic-wide closure, over a date range.

    A range with times applies those times on every date in it (a week of afternoons off);
    without times it is every whole day from start_date to end_date, both included.
    """

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", "Time off"
        EXTRA_HOURS = "extra_hours", "Extra hours"
        CLOSURE = "closure", "Clinic closed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last date included.")
    start = models.TimeField(null=True, blank=True, help_text="Leave empty for the whole day.")
    end = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    objects = DateOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "start", "pk"]
        indexes = [models.Index(fields=["start_date", "end_date"], name="override_dates_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="closure", provider__isnull=True)
                | (~Q(kind="closure") & Q(provider__isnull=False)),
                name="closure_is_clinic_wide",
            ),
            # Whole day (no times) or a real interval: the availability code relies on it.
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=models.F("start")),
                name="override_whole_day_or_interval",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="override_end_date_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dates_display}"

    @property
    def dates_display(self) -> str:
        """“Dec 21, 2026” or “Dec 21, 2026 – Jan 3, 2027”, as staff read a range."""
        first = f"{self.start_date:%b %-d, %Y}"
        if self.end_date == self.start_date:
            return first
        return f"{first} – {self.end_date:%b %-d, %Y}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED_PATIENT = "cancelled_patient", "Cancelled by patient"
    CANCELLED_CLINIC = "cancelled_clinic", "Cancelled by clinic"


# The statuses that hold the provider's (or the chair's) time; only cancelling frees it. The
# exclusion constraints below are built from this tuple, so changing it changes them through
# an ordinary migration (`makemigrations --check` in CI fails until one is written).
ACTIVE_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)
# Constraint names: the booking service tells the two refusals apart by them.
NO_DOUBLE_BOOKING = "appointment_no_double_booking"
NO_CHAIR_DOUBLE_BOOKING = "appointment_no_chair_double_booking"
ONE_ACTIVE_INITIAL = "one_active_initial_consultation"


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, nothing on other databases.

    SQLite (development) has no exclusion constraints: there this emits no SQL and
    validates nothing, and the booking service's lock and re-check are the guard.
    """

    def _on_postgresql(self, connection) -> bool:
        return connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        if self._on_postgresql(schema_editor.connection):
            return super().constraint_sql(model, schema_editor)
        return None

    def create_sql(self, model, schema_editor):
        if self._on_postgresql(schema_editor.connection):
            return super().create_sql(model, schema_editor)
        return None

    def remove_sql(self, model, schema_editor):
        if self._on_postgresql(schema_editor.connection):
            return super().remove_sql(model, schema_editor)
        return None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if self._on_postgresql(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def holding_provider(self):
        """Active rows that take their clinician's time: everything but an infusion on a
        chair, which holds the chair and leaves its supervisor free (NO_DOUBLE_BOOKING)."""
        return self.active().filter(chair__isnull=True)

    def upcoming(self, now):
        return self.filter(status=AppointmentStatus.BOOKED, start__gte=now)

    def late_cancellations(self):
        return self.filter(status=AppointmentStatus.CANCELLED_PATIENT, late_cancellation=True)

    def no_shows(self):
        return self.filter(status=AppointmentStatus.NO_SHOW)


class Appointment(models.Model):
    Status = AppointmentStatus

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    kind = models.CharField(max_length=12, choices=AppointmentType.Kind.choices)  # copied
    location = models.ForeignKey(Location, on_delete=models.PROTECT)
    mode = models.CharField(
        max_length=12, choices=[("in_person", "In person"), ("telehealth", "Telehealth")]
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The provider's time taken, buffers included: what may never overlap (NO_DOUBLE_BOOKING)
    # unless the row holds a chair (an infusion: its provider is the supervising clinician,
    # who watches several chairs at once and may see patients meanwhile).
    block_start = models.DateTimeField()
    block_end = models.DateTimeField()
    uses_chair = models.BooleanField(default=False)
    # The chair taken from start to chair_end (recovery included): NO_CHAIR_DOUBLE_BOOKING.
    chair = models.ForeignKey(
        Chair, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    chair_end = models.DateTimeField(null=True, blank=True)
    # The treatment course this infusion belongs to (None for consultations and follow-ups).
    course = models.ForeignKey(
        "consultations.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="infusions",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    video_link = models.URLField(blank=True)
    intake = models.ForeignKey(
        "intake.Intake", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_override_reason = models.TextField(blank=True)
    # Cancelled inside the cancellation window at the patient's request (status.decide).
    late_cancellation = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["provider", "block_start", "block_end"]),
            models.Index(fields=["status", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(kind=AppointmentType.Kind.INITIAL, status=AppointmentStatus.BOOKED),
                name=ONE_ACTIVE_INITIAL,
            ),
            # No double booking, ever: two active appointments of one provider whose blocks
            # (buffers included) overlap are refused by the database itself. An infusion on
            # a chair is left out: the chair constraint below holds it, and its provider
            # (the supervising clinician) watches several chairs at once. So every active row
            # is under exactly one of the two constraints.
            PostgresExclusionConstraint(
                name=NO_DOUBLE_BOOKING,
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    (
                        TsTzRange("block_start", "block_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=ACTIVE_STATUSES, chair__isnull=True),
            ),
            # One infusion per chair at a time, recovery included (start .. chair_end).
            PostgresExclusionConstraint(
                name=NO_CHAIR_DOUBLE_BOOKING,
                expressions=[
                    ("chair", RangeOperators.EQUAL),
                    (TsTzRange("start", "chair_end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=ACTIVE_STATUSES, chair__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(chair__isnull=True) | Q(chair_end__gt=models.F("start")),
                name="appt_chair_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appt_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} with {self.provider} at {self.start:%Y-%m-%d %H:%M}"

    def is_cancellable_by_patient(self, now, window_hours: int) -> bool:
        return self.status == self.Status.BOOKED and self.start - now >= timedelta(
            hours=window_hours
        )


class AppointmentEvent(models.Model):
    """Each status change of an appointment: who, when, what."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    # status.Action ("cancel", "no_show", "undo", …); blank on rows older than the field.
    action = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=30, blank=True)  # a code from status.REASONS
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} (#{self.appointment_id})"
