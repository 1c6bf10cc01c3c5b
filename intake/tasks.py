from celery import shared_task

from . import digest, nudges, review


@shared_task
def rescreen_open_intakes() -> int:
    """After a policy change: takes no arguments, so no patient data crosses the broker."""
    return review.rescreen_open_intakes()


@shared_task(ignore_result=True)
def enqueue_intake_nudges() -> int:
    """Beat, every 15 minutes: nudges due for unfinished intakes (once each)."""
    return nudges.enqueue_intake_nudges()


@shared_task(ignore_result=True)
def enqueue_daily_digest() -> int:
    """Beat, shortly before 07:00 clinic time: rows due at 07:00 (once per person per day)."""
    return digest.enqueue_daily_digest()
