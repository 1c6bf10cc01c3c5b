from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


@shared_task
def record_heartbeat(source: str = "beat") -> None:
    """Stamp the heartbeat row: the health page shows when the worker last ran a task."""
    updated = Heartbeat.objects.filter(source=source).update(
        beat_at=timezone.now(), count=F("count") + 1
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            source=source, defaults={"beat_at": timezone.now(), "count": 1}
        )
