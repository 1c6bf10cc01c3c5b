from celery import shared_task

from . import dispatcher


@shared_task(ignore_result=True)
def dispatch_outbox() -> int:
    """Run by beat every minute (and after urgent messages): sends what is due."""
    return dispatcher.dispatch_due()


@shared_task(ignore_result=True)
def enqueue_daily_digest() -> int:
    """Beat, shortly before 07:00 clinic time: rows due at 07:00 (once per person per day)."""
    from .digest import enqueue_daily_digest as enqueue

    return enqueue()


@shared_task(ignore_result=True)
def enqueue_intake_nudges() -> int:
    from .nudges import enqueue_intake_nudges as enqueue

    return enqueue()
