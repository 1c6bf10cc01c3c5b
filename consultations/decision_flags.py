"""Bookings to check because a clinician reopened the patient's decision: what the patient
booked themselves while approved (or since) is flagged for staff until someone decides again."""

from django.db.models import F

from intake.models import Intake

from .models import Appointment


def flagged_bookings(*, now):
    """Future booked appointments the patient made themselves, whose intake is reopened."""
    reopened = Intake.objects.reopened().values("patient_id")
    return (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            start__gte=now,
            created_by=F("patient"),
            patient__in=reopened,
        )
        .select_related("patient", "provider", "appointment_type")
        .order_by("start", "pk")
    )
