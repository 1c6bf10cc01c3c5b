"""Messages to patients about their intake: a name and a link, nothing clinical."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

SUBJECTS = {
    "more_info": "The clinic has a question about your intake",
    "approved": "You can now book your consultation",
    "decision": "There is an update in your patient portal",
}


def patient_update(*, intake, kind: str) -> None:
    """Email the patient once the transaction commits."""
    patient = intake.patient
    link = settings.SITE_URL.rstrip("/") + reverse("intake:portal")
    body = (
        f"Hello {patient.get_short_name()},\n\n"
        f"There is an update about your request to {settings.CLINIC['name']}. "
        f"Please log in to your patient portal to see it:\n\n{link}\n"
    )
    transaction.on_commit(lambda: send_mail(SUBJECTS[kind], body, None, [patient.email]))
