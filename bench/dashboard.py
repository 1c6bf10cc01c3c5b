"""Throughput of the staff dashboard with 10,000 intakes, against a bare Django view.

    DATABASE_URL=... .venv/bin/python bench/dashboard.py [--intakes 10000] [--requests 200]

Uses its own database (default: SQLite file var/bench.sqlite3, rebuilt each run) so it never
touches development data. Prints requests per second for both views, the ratio, and the
number of queries the dashboard makes. Not run by the test suite: speed is measured here,
never asserted in tests.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    call_command("migrate", verbosity=0)
    clinician = seed(args.intakes)

    def bare(request):
        return HttpResponse("ok")

    urlconf = type(
        "BenchUrls",
        (),
        {"urlpatterns": [path("bare/", bare), path("", include(settings.ROOT_URLCONF))]},
    )
    with override_settings(ROOT_URLCONF=urlconf, ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
        pages = {
            "bare view": "/bare/",
            "dashboard (queue)": "/staff/",
            "dashboard (all, sorted by name, page 3)": "/staff/?status=&sort=patient&page=3",
            "dashboard (search)": "/staff/?q=smith&status=",
        }
        results = {}
        for name, url in pages.items():
            assert client.get(url).status_code == 200, url
            queries = _count_queries(client, url)
            start = time.perf_counter()
            for _ in range(args.requests):
                client.get(url)
            elapsed = time.perf_counter() - start
            results[name] = (args.requests / elapsed, queries)
    base = results["bare view"][0]
    print(f"\n{args.intakes} intakes, {args.requests} requests each, {connection.vendor}")
    for name, (rps, queries) in results.items():
        print(f"  {name:<42} {rps:8.1f} req/s  {rps / base:6.1%} of bare  {queries:3d} queries")


def _count_queries(client, url) -> int:
    """Queries one request makes (counted with an execute wrapper, whatever DEBUG is)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    return count


def seed(count: int):
    from django.db import transaction
    from django.utils import timezone

    from clinic.accounts.models import User
    from clinic.accounts.roles import Role
    from intake import demo
    from intake.models import Intake, IntakeFlag

    rng = random.Random(42)
    surnames = ["Smith", "Jones", "Garcia", "Nguyen", "Patel", "Brown", "Lopez", "Kim"]
    with transaction.atomic():
        clinician = User.objects.create_user(
            "bench-clinician@example.com", "x", role=Role.CLINICIAN, first_name="Bench"
        )
        patients = User.objects.bulk_create(
            User(email=f"p{i}@example.com", first_name=f"Pat{i}", last_name=rng.choice(surnames))
            for i in range(count)
        )
        now = timezone.now()
        from intake.screening import Triage

        S = Intake.Status
        statuses = [S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT, S.APPROVED, S.DECLINED]
        triages = [Triage.URGENT, Triage.STOP, Triage.REVIEW, Triage.CLEAR, Triage.CLEAR]

        intakes = Intake.objects.bulk_create(
            Intake(
                patient=p,
                status=rng.choice(statuses),
                questionnaire_version="bench",
                answers=demo.BASE,
                submitted_at=now - timezone.timedelta(minutes=i),
                triage=(triage := rng.choice(triages)),
                triage_rank=triage.rank,
                mme_band=rng.choice(["none", "<50", "caution", "high"]),
                phq9_band=rng.choice(["minimal", "mild", "moderate"]),
                diagnosis_codes=",crps_1,",
                phone=f"+1202555{i:04d}"[:12],
            )
            for i, p in enumerate(patients)
        )
        IntakeFlag.objects.bulk_create(
            IntakeFlag(
                intake=intake, code=code, title=code, severity=sev, source="bench", message="bench"
            )
            for intake in intakes
            for code, sev in (("mme_50", "caution"), ("uncontrolled_hypertension", "stop"))
        )
    return clinician


if __name__ == "__main__":
    main()
