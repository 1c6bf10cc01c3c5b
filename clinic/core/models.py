from django.db import models


class Heartbeat(models.Model):
    """One row per beat tick, written by the worker: proof that beat and worker both run."""

    source = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ClinicSettings(models.Model):
    """Settings the clinic admin edits in the app (one row)."""

    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="Patients may reschedule or cancel online until this many hours before.",
    )

    class Meta:
        verbose_name_plural = "clinic settings"

    def __str__(self) -> str:
        return "Clinic settings"

    @classmethod
    def load(cls) -> "ClinicSettings":
        return cls.objects.get_or_create(pk=1)[0]
