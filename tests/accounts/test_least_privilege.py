"""Clinic admins manage staff on the clinic's own pages; nothing there or in the Django
admin lets them set a password, grant superuser or reach clinical answers."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from clinic.accounts.models import User
from clinic.accounts.roles import PERMISSIONS, Role
from clinic.audit.models import AuditEvent
from intake import demo
from tests.conftest import PASSWORD, make_user, staff_login


@pytest.fixture
def intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


STAFF = ("coordinator", "clinician", "clinic_admin")


@pytest.fixture
def consultation(patient, provider):
    """Alice's completed consultation (the outcome page's subject)."""
    import datetime as dt

    from django.utils import timezone

    from tests.consultations.conftest import consulted

    return consulted(patient, provider, start=timezone.now() - dt.timedelta(days=1))


@pytest.fixture
def infusion(consultation):
    """Alice in the chair for an infusion, checked in (the infusion record's subject)."""
    from consultations.models import Appointment, AppointmentType

    kind = AppointmentType.objects.get(kind="infusion")
    start = consultation.start + kind.duration * 20
    return Appointment.objects.create(
        patient=consultation.patient,
        provider=consultation.provider,
        appointment_type=kind,
        kind=kind.kind,
        location=consultation.location,
        mode="in_person",
        start=start,
        end=start + kind.duration,
        block_start=start,
        block_end=start + kind.duration,
        status=Appointment.Status.CHECKED_IN,
    )


def _after_visit_rows(consultation, infusion) -> list:
    outcome = f"/schedule/appointments/{consultation.pk}/outcome/"
    record = f"/schedule/appointments/{infusion.pk}/record/"
    return [
        # Every staff role reads the outcome page (the front desk: the decision word only);
        # only clinicians record one (a POST without data: the form's 400).
        ("get", outcome, dict.fromkeys(STAFF, 200), 403),
        ("post", outcome, {"clinician": 400}, 403),
        # The infusion record: every staff role opens it (the front desk sees the visit
        # part only) and records arrival, discharge and driver; vitals, side effects and
        # signing are clinicians' (POSTs without data: the forms' 400).
        ("get", record, dict.fromkeys(STAFF, 200), 403),
        ("post", record + "visit/", dict.fromkeys(STAFF, 302), 403),
        ("post", record + "reading/", {"clinician": 400}, 403),
        ("post", record + "clinical/", {"clinician": 302}, 403),
        ("get", record + "sign/", {"clinician": 200}, 403),
        ("get", "/settings/vitals-limits/", {"clinic_admin": 200}, 403),
    ]


# (method, url, {role: status}, status for everyone else). A POST without data: a clinic
# admin reaches the form (400, nothing changed), everybody else is refused before it.
def _matrix(intake, clinician, patient):
    user_change = f"/django-admin/accounts/user/{clinician.pk}/change/"
    return [
        ("get", "/staff/", {"coordinator": 200, "clinician": 200, "clinic_admin": 200}, 403),
        (
            "get",
            f"/staff/intakes/{intake.pk}/",
            {"clinician": 200, "coordinator": 200, "clinic_admin": 200},
            403,
        ),
        ("get", f"/staff/intakes/{intake.pk}/export.csv", {"clinician": 200}, 403),
        # Not decided yet: the clinician is sent back to the review page with a message.
        ("get", f"/staff/intakes/{intake.pk}/reopen/", {"clinician": 302}, 403),
        (
            "get",
            "/schedule/calendar/reopened/",
            {"coordinator": 200, "clinician": 200, "clinic_admin": 200},
            403,
        ),
        # The checklist of suggested tests: reviewers only (no data: the form's 400).
        ("post", f"/staff/intakes/{intake.pk}/checklist/baseline_ecg/", {"clinician": 400}, 403),
        # The patient page: every staff role reads it; the front desk corrects contact
        # details (a POST without data is the form's 400).
        ("get", f"/staff/patients/{patient.pk}/", dict.fromkeys(STAFF, 200), 403),
        ("post", f"/staff/patients/{patient.pk}/contact/", dict.fromkeys(STAFF, 400), 403),
        ("get", f"/documents/patients/{patient.pk}/upload/", dict.fromkeys(STAFF, 200), 403),
        # Outcomes of every series (aggregated clinical scores): clinicians only.
        ("get", "/schedule/outcomes/", {"clinician": 200}, 403),
        ("get", "/schedule/outcomes/export.csv", {"clinician": 200}, 403),
        # Check-ins: every staff role sees the statuses (answers: clinicians only, see
        # tests/consultations/test_checkins.py); boosters for those who book.
        ("get", f"/schedule/patients/{patient.pk}/check-ins/", dict.fromkeys(STAFF, 200), 403),
        ("get", "/schedule/boosters/", dict.fromkeys(STAFF, 200), 403),
        ("get", "/settings/boosters/", {"clinic_admin": 200}, 403),
        ("get", "/appointments/check-ins/", {"patient": 200, "other_patient": 200}, 403),
        ("get", "/accounts/clinic-admin/", {"clinic_admin": 200}, 403),
        # Patients re-sign a newer consent there; with nothing to sign they are sent on.
        ("get", "/portal/consent/", {"patient": 302, "other_patient": 302}, 403),
        ("get", "/audit/", {"clinic_admin": 200}, 403),
        ("get", "/audit/export.csv", {"clinic_admin": 200}, 403),
        ("get", f"/accounts/clinic-admin/staff/{clinician.pk}/", {"clinic_admin": 200}, 403),
        ("post", f"/accounts/clinic-admin/staff/{clinician.pk}/role/", {"clinic_admin": 400}, 403),
        ("get", "/django-admin/", {"clinic_admin": 200, "superuser": 200}, 302),
        ("get", "/django-admin/accounts/user/", {"superuser": 200, "clinic_admin": 403}, 302),
        ("get", user_change, {"superuser": 200, "clinic_admin": 403}, 302),
        ("post", user_change, {"superuser": 200, "clinic_admin": 403}, 302),
        (
            "get",
            f"/django-admin/accounts/user/{patient.pk}/password/",
            {"superuser": 200, "clinic_admin": 403},
            302,
        ),
        ("get", "/django-admin/auth/group/", {"superuser": 200, "clinic_admin": 403}, 302),
        ("get", "/django-admin/otp_totp/totpdevice/", {"superuser": 200, "clinic_admin": 403}, 302),
        (
            "get",
            "/django-admin/notifications/message/",
            {"superuser": 200, "clinic_admin": 200},
            302,
        ),
    ]


@pytest.mark.django_db
def test_role_url_method_matrix_including_the_django_admin_and_exports(
    client, people, intake, consultation, infusion
):
    people = {**people, "superuser": User.objects.create_superuser("ops@example.com", PASSWORD)}
    rows = _matrix(intake, people["clinician"], people["patient"]) + _after_visit_rows(
        consultation, infusion
    )
    for method, url, allowed, default in rows:
        for role, user in people.items():
            staff_login(client, user)
            status = getattr(client, method)(url).status_code
            assert status == allowed.get(role, default), (method, url, role, status)
            client.logout()


def test_clinic_admin_role_carries_no_permission_on_accounts_auth_or_devices(db):
    perms = (
        Group.objects.get(name=Role.CLINIC_ADMIN)
        .permissions.exclude(codename__in=PERMISSIONS)  # the role codenames themselves
        .values_list("content_type__app_label", flat=True)
    )
    assert not {"accounts", "auth", "otp_totp", "otp_static"} & set(perms)
    clinic_admin = make_user("a2@example.com", Role.CLINIC_ADMIN, is_staff=True)
    assert not clinic_admin.has_perm("accounts.change_user")
    assert not clinic_admin.has_perm("accounts.view_clinical_answers")


def test_clinic_admin_cannot_tick_groups_or_superuser_or_set_a_password_in_the_admin(
    login, clinic_admin, clinician, intake
):
    client = login(clinic_admin)
    change = f"/django-admin/accounts/user/{clinic_admin.pk}/change/"
    posted = client.post(
        change,
        {
            "email": clinic_admin.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="clinician").pk],
        },
    )
    assert posted.status_code == 403
    password = f"/django-admin/accounts/user/{clinician.pk}/password/"
    new = "an attacker's new password"
    assert client.post(password, {"password1": new, "password2": new}).status_code == 403
    assert client.get("/django-admin/auth/group/add/").status_code == 403
    clinic_admin.refresh_from_db()
    clinician.refresh_from_db()
    assert not clinic_admin.is_superuser and not clinic_admin.has_role(Role.CLINICIAN)
    assert not clinician.check_password(new)
    assert client.get(f"/staff/intakes/{intake.pk}/export.csv").status_code == 403


def test_clinic_admin_cannot_make_themself_a_clinician_on_the_staff_pages(
    login, clinic_admin, intake
):
    client = login(clinic_admin)
    url = reverse("accounts:staff_set_role", args=[clinic_admin.pk])
    client.post(url, {"role": "clinician", "reason": "I want to read answers"})
    clinic_admin.refresh_from_db()
    del clinic_admin.role_names
    assert not clinic_admin.has_role(Role.CLINICIAN)
    assert client.get(f"/staff/intakes/{intake.pk}/export.csv").status_code == 403
    # The staff pages have no password field and no superuser switch at all.
    page = client.get(reverse("accounts:staff_detail", args=[clinic_admin.pk])).content
    assert b'type="password"' not in page and b"superuser" not in page.lower()


def test_granting_clinician_needs_a_reason_and_changes_the_role(login, clinic_admin, coordinator):
    client = login(clinic_admin)
    url = reverse("accounts:staff_set_role", args=[coordinator.pk])
    refused = client.post(url, {"role": "clinician", "reason": ""})
    assert refused.status_code == 400
    assert "needs clinical access" in refused.content.decode()
    assert not User.objects.get(pk=coordinator.pk).has_role(Role.CLINICIAN)
    client.post(url, {"role": "clinician", "reason": "Qualified as a nurse practitioner"})
    promoted = User.objects.get(pk=coordinator.pk)
    assert promoted.has_role(Role.CLINICIAN) and not promoted.has_role(Role.COORDINATOR)
    event = AuditEvent.objects.get(action="staff.role_changed")
    assert event.actor == clinic_admin and event.target_id == str(coordinator.pk)
    assert event.detail == {
        "from": "coordinator",
        "to": "clinician",
        "reason": "Qualified as a nurse practitioner",
    }
    assert event.ip == "127.0.0.1"
    client.post(url, {"role": "clinic_admin", "reason": ""})
    assert User.objects.get(pk=coordinator.pk).is_staff


def test_a_new_clinician_account_needs_a_reason(login, clinic_admin):
    data = {"first_name": "S", "last_name": "S", "email": "s@example.com", "role": "clinician"}
    response = login(clinic_admin).post(reverse("accounts:admin_home"), data)
    assert "reason" in response.context["form"].errors
    assert not User.objects.filter(email="s@example.com").exists()


def test_clinic_admin_sends_a_set_password_link_but_never_sets_one(
    login, clinic_admin, clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(clinic_admin).post(reverse("accounts:staff_send_password_link", args=[clinician.pk]))
    assert mail.outbox[-1].to == [clinician.email]
    assert "/accounts/password-reset/" in mail.outbox[-1].body
    clinician.refresh_from_db()
    assert clinician.check_password(PASSWORD)


def test_clinic_admin_reactivates_a_staff_member(login, clinic_admin, clinician):
    client = login(clinic_admin)
    url = reverse("accounts:staff_set_active", args=[clinician.pk])
    client.post(url, {"active": "0"})
    client.post(url, {"active": "1"})
    clinician.refresh_from_db()
    assert clinician.is_active


def test_createsuperuser_makes_an_operations_account_without_a_clinic_role(db):
    ops = User.objects.create_superuser("ops@example.com", PASSWORD)
    assert ops.is_superuser and ops.role is None
