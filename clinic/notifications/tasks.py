from celery import shared_task

from . import dispatcher


@shared_task(ignore_result=True)
def dispatch_outbox() -> int:
    """Run by beat every minute (and after urgent messages): sends what is due."""
    return dispatcher.dispatch_due()
