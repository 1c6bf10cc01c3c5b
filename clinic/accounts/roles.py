"""The four roles and what each may do. Roles are auth Groups carrying these permissions."""

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    COORDINATOR = "coordinator", "Coordinator"
    CLINICIAN = "clinician", "Clinician"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


STAFF_ROLES = (Role.COORDINATOR, Role.CLINICIAN, Role.CLINIC_ADMIN)

# Permission codenames (all on accounts.User) and who holds them.
PERMISSIONS = {
    "use_patient_portal": "Can use the patient portal",
    "view_staff_dashboard": "Can see the staff dashboard",
    "view_contact_details": "Can see patients' contact details",
    "view_clinical_answers": "Can see patients' clinical answers and scores",
    "review_intakes": "Can review intakes and decide candidacy",
    "manage_bookings": "Can book, move and cancel appointments for patients",
    "manage_schedules": "Can manage providers' hours, time off and appointment types",
    "manage_staff": "Can create and deactivate staff accounts",
    "manage_clinic_settings": "Can change clinic settings, policy and templates",
    # Which findings stop a booking is a clinical decision (the medical director's):
    # clinicians hold it; clinic admins keep it, as the settings area is theirs.
    "edit_screening_policy": "Can change the screening policy (which findings stop a booking)",
}

ROLE_PERMISSIONS = {
    Role.PATIENT: ["use_patient_portal"],
    Role.COORDINATOR: [
        "view_staff_dashboard",
        "view_contact_details",
        "manage_bookings",
        "manage_schedules",
    ],
    Role.CLINICIAN: [
        "view_staff_dashboard",
        "view_contact_details",
        "view_clinical_answers",
        "review_intakes",
        "manage_bookings",
        "edit_screening_policy",
    ],
    Role.CLINIC_ADMIN: [
        "view_staff_dashboard",
        "view_contact_details",
        "manage_bookings",
        "manage_schedules",
        "manage_staff",
        "manage_clinic_settings",
        "edit_screening_policy",
    ],
}


# Clinic admins also edit these apps' models in the Django admin (not clinical answers),
# and these clinic-settings models of the intake app. Never "accounts", "auth" or "otp_*":
# whoever edits users, groups or devices can grant any role, so staff accounts are managed
# on the clinic admin pages and the rest belongs to the operations superuser.
CLINIC_ADMIN_MODEL_APPS = ("core", "consultations", "notifications")
CLINIC_ADMIN_INTAKE_MODELS = ("declinetemplate", "consenttext", "screeningpolicy")


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent).

    Runs after every `migrate` (post_migrate), so new models' permissions reach the groups.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="accounts", codename__in=PERMISSIONS
        )
    }
    admin_models = Permission.objects.filter(
        Q(content_type__app_label__in=CLINIC_ADMIN_MODEL_APPS)
        | Q(content_type__app_label="intake", content_type__model__in=CLINIC_ADMIN_INTAKE_MODELS)
    ).exclude(codename__in=PERMISSIONS)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = [perms[c] for c in codenames if c in perms]
        if role == Role.CLINIC_ADMIN:
            wanted += list(admin_models)
        group.permissions.set(wanted)
