"""Demo data for `make run`: staff of every role and several patients. Safe to run twice."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.accounts.models import User
from clinic.accounts.roles import Role

DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - printed for the demo on purpose

DEMO_USERS = [
    ("admin@clinic.example", "Avery", "Admin", Role.CLINIC_ADMIN),
    ("coordinator@clinic.example", "Casey", "Coordinator", Role.COORDINATOR),
    ("dr.lee@clinic.example", "Morgan", "Lee", Role.CLINICIAN),
    ("dr.patel@clinic.example", "Priya", "Patel", Role.CLINICIAN),
    ("alice@patient.example", "Alice", "Anderson", Role.PATIENT),
    ("bob@patient.example", "Bob", "Brown", Role.PATIENT),
    ("carmen@patient.example", "Carmen", "Cruz", Role.PATIENT),
    ("dan@patient.example", "Dan", "Diaz", Role.PATIENT),
]


class Command(BaseCommand):
    help = "Create demo accounts for every role (idempotent: existing accounts are kept)."

    @transaction.atomic
    def handle(self, *args, **options):
        rows = []
        for email, first, last, role in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    role=role,
                    first_name=first,
                    last_name=last,
                    email_verified_at=timezone.now(),
                    is_staff=role == Role.CLINIC_ADMIN,
                )
            rows.append((role.label, email))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for label, email in rows:
            self.stdout.write(f"  {label:<13} {email}")
        self.stdout.write("")
