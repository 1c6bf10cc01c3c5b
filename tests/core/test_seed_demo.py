"""seed_demo: the on-call clinician exists before the intakes, and accounts come from the
account services, so the demo behaves like a real clinic's first day."""

import pytest
from django.core.management import call_command

from clinic.accounts.models import User
from clinic.audit.models import AuditEvent
from clinic.core.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from clinic.notifications.models import Message
from intake.messages import URGENT_ALERT
from intake.models import UrgentAlert

pytestmark = pytest.mark.django_db


def test_the_seeded_urgent_alert_is_emailed_to_the_on_call_clinician():
    call_command("seed_demo")
    alert = UrgentAlert.objects.get(intake__patient__email="carmen@patient.example")
    sent = Message.objects.filter(kind=URGENT_ALERT.code, intake=alert.intake)
    assert [m.recipient.email for m in sent] == ["dr.lee@clinic.example"]


def test_staff_are_created_through_the_account_services_and_audited():
    call_command("seed_demo")
    for email, _first, _last, role in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.role == role, email
        assert user.check_password(DEMO_PASSWORD), email
        if role.value == "patient":
            assert user.email_verified_at is not None
            continue
        created = AuditEvent.objects.get(action="staff.created", target_id=str(user.pk))
        assert created.detail["role"] == role.value
        if role.value == "clinician":
            assert created.detail["reason"]  # clinical access is granted with a reason


def test_seeding_twice_adds_no_second_alert_message():
    call_command("seed_demo")
    call_command("seed_demo")
    assert Message.objects.filter(kind=URGENT_ALERT.code).count() == 1


def test_the_demo_clinic_has_individual_chairs_open_hours_and_supervisors():
    from consultations.models import Chair, OpeningHours, Provider

    call_command("seed_demo")
    call_command("seed_demo")
    names = list(Chair.objects.filter(location__kind="clinic").values_list("name", flat=True))
    assert names == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert OpeningHours.objects.filter(location__kind="clinic").count() == 5
    assert Provider.objects.filter(supervises_infusions=True).count() == 2
