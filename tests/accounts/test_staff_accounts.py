from django.core import mail
from django.urls import reverse

from clinic.accounts.models import User
from clinic.accounts.roles import Role


def test_clinic_admin_creates_a_staff_account_that_chooses_its_own_password(
    login, clinic_admin, django_capture_on_commit_callbacks
):
    client = login(clinic_admin)
    data = {
        "first_name": "Sam",
        "last_name": "Stone",
        "email": "sam@example.com",
        "role": "clinician",
        "reason": "New pain physician starting Monday",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:admin_home"), data, follow=True)
    assert b"Account created for Sam Stone" in response.content
    sam = User.objects.get(email="sam@example.com")
    assert sam.has_role(Role.CLINICIAN) and not sam.has_usable_password() and not sam.is_staff
    assert mail.outbox[0].to == ["sam@example.com"] and "/password-reset/" in mail.outbox[0].body


def test_staff_accounts_cannot_be_patients_via_the_admin_form(login, clinic_admin):
    client = login(clinic_admin)
    data = {"first_name": "P", "last_name": "Q", "email": "pq@example.com", "role": "patient"}
    response = client.post(reverse("accounts:admin_home"), data)
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="pq@example.com").exists()


def test_signup_never_creates_staff(client, db):
    client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Eve",
            "last_name": "E",
            "email": "eve@example.com",
            "password1": "a long and memorable phrase",
            "password2": "a long and memorable phrase",
            "role": "clinic_admin",
        },
    )
    eve = User.objects.get(email="eve@example.com")
    assert eve.role == Role.PATIENT and not eve.is_staff


def test_clinic_admin_deactivates_a_staff_member_but_not_themselves(login, clinic_admin, clinician):
    client = login(clinic_admin)
    client.post(reverse("accounts:staff_set_active", args=[clinician.pk]), {"active": "0"})
    clinician.refresh_from_db()
    assert not clinician.is_active
    client.post(reverse("accounts:staff_set_active", args=[clinic_admin.pk]), {"active": "0"})
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active


def test_patients_cannot_be_deactivated_through_the_staff_page(login, clinic_admin, patient):
    response = login(clinic_admin).post(
        reverse("accounts:staff_set_active", args=[patient.pk]), {"active": "0"}
    )
    assert response.status_code == 404
