"""The Celery app (standard Django wiring) and the beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["clinic.core", "clinic.accounts", "intake", "consultations"])

app.conf.beat_schedule = {
    "record-heartbeat": {"task": "clinic.core.tasks.record_heartbeat", "schedule": 60.0},
}
