from celery import shared_task

from . import review


@shared_task
def rescreen_open_intakes() -> int:
    """After a policy change: takes no arguments, so no patient data crosses the broker."""
    return review.rescreen_open_intakes()
