"""The Celery app (standard Django wiring) and the beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["clinic.core", "clinic.accounts", "clinic.notifications", "intake", "consultations"]
)


@app.on_after_configure.connect
def _beat_schedule(sender, **kwargs):
    from celery.schedules import crontab
    from django.conf import settings

    sender.conf.beat_schedule = {
        "record-heartbeat": {"task": "clinic.core.tasks.record_heartbeat", "schedule": 60.0},
        # Every message is a row; this sends what is due. No ETA or countdown anywhere.
        "dispatch-outbox": {
            "task": "clinic.notifications.tasks.dispatch_outbox",
            "schedule": settings.OUTBOX_DISPATCH_SECONDS,
        },
        "intake-nudges": {
            "task": "intake.tasks.enqueue_intake_nudges",
            "schedule": 15 * 60.0,
        },
        # Outcome check-ins: created when due (run twice: created once), one nudge each.
        "check-ins": {"task": "consultations.tasks.schedule_check_ins", "schedule": 5 * 60.0},
        "check-in-nudges": {"task": "consultations.tasks.nudge_check_ins", "schedule": 15 * 60.0},
        "daily-digest": {
            "task": "intake.tasks.enqueue_daily_digest",
            "schedule": crontab(hour=6, minute=55),
        },
    }
