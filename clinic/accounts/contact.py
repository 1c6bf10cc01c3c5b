"""Staff correcting a patient's contact details (a bounced email, a changed mobile number).

A changed login email is a change of who can reset the password, so it needs a reason, is
audited with the old and new values, and the new address must be confirmed by the patient
(a verification email goes to it; the old one is no longer marked verified).
"""

from django.db import transaction

from clinic.audit import services as audit
from clinic.notifications.models import ContactPreference

from .emails import normalise_email
from .models import User
from .services import send_verification_email


class ContactChangeRefused(Exception):
    """A change the view shows next to its field: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def contact_values(patient: User) -> dict:
    preference = ContactPreference.objects.filter(user=patient).first()
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": preference.phone if preference else "",
    }


@transaction.atomic
def update_contact_details(
    *,
    patient: User,
    actor: User,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    reason: str,
) -> dict[str, list]:
    """Save the changed fields under the patient's row lock; audit {field: [old, new]}."""
    patient = User.objects.select_for_update().get(pk=patient.pk)
    before = contact_values(patient)
    after = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": normalise_email(email),
        "phone": phone,
    }
    changes = {k: [before[k], after[k]] for k in after if after[k] != before[k]}
    if not changes:
        return {}
    if "email" in changes:
        if not reason.strip():
            raise ContactChangeRefused({"reason": "Say why the email address is changed."})
        if User.objects.filter(email=after["email"]).exclude(pk=patient.pk).exists():
            raise ContactChangeRefused({"email": "Another account already uses this address."})
        patient.email_verified_at = None
    patient.first_name, patient.last_name = after["first_name"], after["last_name"]
    patient.email = after["email"]
    patient.save(update_fields=["first_name", "last_name", "email", "email_verified_at"])
    if "phone" in changes:
        ContactPreference.objects.update_or_create(user=patient, defaults={"phone": phone})
    audit.record(
        actor=actor,
        action="contact_changed",
        patient=patient,
        target=patient,
        detail={"changes": changes, "reason": reason.strip()},
    )
    if "email" in changes:
        send_verification_email(user=patient)
    return changes
