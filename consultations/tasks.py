"""Thin Celery tasks: no arguments or ids only, so no patient data crosses the broker."""

from celery import shared_task

from . import checkin_services


@shared_task(ignore_result=True)
def schedule_check_ins() -> int:
    """Beat, every few minutes: create the check-ins now due (idempotent) and their messages."""
    return checkin_services.schedule_check_ins()


@shared_task(ignore_result=True)
def nudge_check_ins() -> int:
    """Beat: the one reminder for each check-in not filled in by its nudge time."""
    return checkin_services.nudge_check_ins()
