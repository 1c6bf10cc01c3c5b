"""Demo data for `make run`: staff of every role and several patients. Safe to run twice."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.accounts import services
from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.core.models import ClinicSettings
from consultations import demo as course_demo
from consultations.models import Chair, Location, OpeningHours, Provider, WorkingHours
from intake import demo, review
from intake.models import Intake

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


# Approved for consultation, so the demo can book straight away.
APPROVED = {"dan@patient.example"}

# Each demo patient's intake: (answers, steps answered or None for all, submitted).
DEMO_INTAKES = {
    "alice@patient.example": (demo.BASE, None, True),
    "bob@patient.example": (demo.NO_OPIOIDS_METRIC, ("about", "pain", "diagnoses"), False),
    "carmen@patient.example": (demo.FIBROMYALGIA, None, True),
    "dan@patient.example": (demo.NO_OPIOIDS_METRIC, None, True),
}


class Command(BaseCommand):
    help = "Create demo accounts for every role (idempotent: existing accounts are kept)."

    @transaction.atomic
    def handle(self, *args, **options):
        rows = [(role.label, email) for email, _first, _last, role in DEMO_USERS]
        for email, first, last, role in DEMO_USERS:
            if not User.objects.filter(email=email).exists():
                self._create_account(email=email, first=first, last=last, role=role)
        # Providers and the on-call clinician come before the intakes: submitting Carmen's
        # intake raises the demo's urgent alert, and the alert goes to whoever is on call
        # at that moment (nobody, if the intakes came first).
        self._seed_schedule()
        self._seed_intakes()
        rows += course_demo.seed_courses(
            now=timezone.now(),
            create_account=lambda **who: self._create_account(role=Role.PATIENT, **who),
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for label, email in rows:
            self.stdout.write(f"  {label:<13} {email}")
        self.stdout.write("")

    def _create_account(self, *, email: str, first: str, last: str, role: Role) -> User:
        """Through the account services, as the clinic admin pages and sign-up create them."""
        if role == Role.PATIENT:
            user = services.register_patient(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            services.verify_email(user=user)
            return user
        user = services.create_staff_account(
            email=email,
            first_name=first,
            last_name=last,
            role=role,
            reason="Demo clinician (seed_demo)" if role == Role.CLINICIAN else "",
        )
        # Staff choose their password from the welcome link; the demo prints one instead.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user

    def _seed_intakes(self):
        for email, (answers, step_keys, submit) in DEMO_INTAKES.items():
            patient = User.objects.get(email=email)
            if Intake.objects.for_patient(patient).exists():
                continue
            if step_keys:
                answers = demo.answers_for_steps(answers, step_keys)
            answers = {
                **answers,
                "legal_first_name": patient.first_name,
                "legal_last_name": patient.last_name,
                "consent_signature": patient.get_full_name(),
                # Each demo patient their own (fictional 555) number.
                "mobile_phone": f"+1202555{patient.pk:04d}",
            }
            intake = demo.seed_intake(patient=patient, answers=answers, submit=submit)
            if email in APPROVED:
                review.approve(intake=intake, actor=User.objects.get(email="dr.lee@clinic.example"))

    def _seed_schedule(self):
        """Both clinicians see patients Monday to Friday, 08:00-12:00 and 13:00-17:00, and
        supervise infusions; the main clinic has four chairs, open weekdays 08:00-18:00."""
        for email, name in (
            ("dr.lee@clinic.example", "Dr. Morgan Lee"),
            ("dr.patel@clinic.example", "Dr. Priya Patel"),
        ):
            provider, created = Provider.objects.get_or_create(
                user=User.objects.get(email=email),
                defaults={"display_name": name, "supervises_infusions": True},
            )
            if created:
                for weekday in range(5):
                    for start, end in ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))):
                        WorkingHours.objects.create(
                            provider=provider, weekday=weekday, start=start, end=end
                        )
        clinic = Location.objects.filter(kind=Location.Kind.CLINIC).order_by("pk").first()
        if clinic is not None:
            for number in range(1, 5):
                Chair.objects.get_or_create(location=clinic, name=f"Chair {number}")
            if not clinic.opening_hours.exists():
                for weekday in range(5):
                    OpeningHours.objects.create(
                        location=clinic, weekday=weekday, start=dt.time(8), end=dt.time(18)
                    )
        settings_row = ClinicSettings.load()
        if not settings_row.on_call_clinicians.exists():
            settings_row.on_call_clinicians.add(User.objects.get(email="dr.lee@clinic.example"))
