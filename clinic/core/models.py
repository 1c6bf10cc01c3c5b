from django.db import models


class Heartbeat(models.Model):
    """One row per beat tick, written by the worker: proof that beat and worker both run."""

    source = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
