"""Throughput of every staff and patient page against a bare logged-in view, and of the
outbox dispatcher, at several database sizes. Not run by the test suite (speed is measured
here, never asserted in tests).

    .venv/bin/python bench/run.py                          # SQLite file var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_bench .venv/bin/python bench/run.py \\
        --intakes 1000,10000,100000 --rounds 5 [--paths queue,review] [--requests 20]

The database is the benchmark's own: it is made if missing, seeded here (COPY on
PostgreSQL, bulk inserts elsewhere; a database holding more intakes than asked for is
dropped and made again), then ANALYZEd. One size uses the database named; several sizes
each use their own, the name with the size after it (h_bench_1000, h_bench_100000, or
var/bench-1000.sqlite3), each measured by a process of its own. Re-running reuses what is
there. Never point it at data you want to keep.

Each page is measured against a bare view (`HttpResponse("ok")`) requested by the same
logged-in client through the same middleware, one bare request then one page request,
alternating, so a machine busy with other work slows both alike. A round gives
ratio = page throughput / bare throughput; the table shows min / median / max over the
rounds, the bare view's own requests per second (how busy the machine was) and the
queries one request of the page makes. The dispatcher row is messages per second through
`clinic.notifications.tasks.dispatch_outbox` (what a Celery worker runs), with the locmem
email backend, and its queries per message.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
# As in production (DEBUG off: no query log, cached templates), minus HTTPS, which the test
# client does not speak. Mail stays in memory.
os.environ.update(
    DEBUG="false",
    SECURE_SSL_REDIRECT="false",
    SECURE_COOKIES="false",
    SECURE_HSTS_SECONDS="0",
    ALLOWED_HOSTS="testserver",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)

MARK = "bench-"  # every account the benchmark makes starts with this
# Common US surnames and first names, so a search matches a realistic share of rows.
_SURNAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter"
)
_FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Maria Ana Wei Priya Omar Fatima"
)
SURNAMES, FIRST_NAMES = tuple(_SURNAMES.split()), tuple(_FIRST_NAMES.split())
UNUSABLE_PASSWORD = "!"  # noqa: S105 - Django's mark for "no password": nobody logs in as these
PROVIDERS = 10
SORTED = "/staff/?status=&sort=patient&page=3"
WEEK_APPOINTMENTS = 200


# ----------------------------------------------------------------------------- database


def _admin(settings_dict):
    """A connection to the server's maintenance database, to make or drop the bench's own."""
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def ensure_database() -> None:
    """PostgreSQL: the database named in DATABASE_URL, made if it does not exist yet."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite makes its file when it first connects
    name = connection.settings_dict["NAME"]
    with _admin(connection.settings_dict) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"making database {name}", flush=True)
            admin.execute(f'CREATE DATABASE "{name}"')


def reset_database_if_larger(wanted: int) -> None:
    """A database seeded for more intakes than asked for is made again from empty."""
    from django.db import connection

    from clinic.accounts.models import User

    try:
        have = User.objects.filter(email__startswith=f"{MARK}p").count()
    except Exception:  # not migrated yet
        return
    if have <= wanted:
        return
    print(f"database has {have} bench intakes, more than {wanted}: making it again", flush=True)
    settings_dict = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        Path(settings_dict["NAME"]).unlink()
        return
    name = settings_dict["NAME"]
    with _admin(settings_dict) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def sized_database_url(url: str, size: int) -> str:
    """The URL of one size's own database: the name with the size after it
    (clinic_bench → clinic_bench_100000, var/bench.sqlite3 → var/bench-100000.sqlite3)."""
    base, mark, query = url.partition("?")
    folder, _, name = base.rpartition("/")
    if name.endswith(".sqlite3"):
        sized = f"{name.removesuffix('.sqlite3')}-{size}.sqlite3"
    else:
        sized = f"{name}_{size}"
    return f"{folder}/{sized}{mark}{query}"


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def analyze() -> None:
    """Planner statistics for the seeded rows. On PostgreSQL VACUUM as well: it merges the
    trigram GIN indexes' pending lists (rows COPYed in land there, and every search then
    scans the list: 7.5 ms a search before, 2.8 ms after, at 10,000 intakes) and sets the
    visibility map the index-only counts rely on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# ------------------------------------------------------------------------------ seeding


class World:
    """The people and records the measured pages are about."""

    clinician = coordinator = intake_patient = picker_patient = None
    review_intake = follow_up = initial = None
    week_day: dt.date
    picker_day: dt.date
    course_first: dt.date


def _user(email, role, first, last, **extra):
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clinic.accounts.models import User
    from clinic.accounts.roles import Role

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            None,
            role=role,
            first_name=first,
            last_name=last,
            email_verified_at=timezone.now(),
            **extra,
        )
        if role != Role.PATIENT:
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user


def seed_fixed() -> World:
    """Staff, ten providers with weekly hours, a week of 200 appointments, the review intake,
    a patient mid-intake and an approved one for the picker. Made once; found after that."""
    from django.db import transaction
    from django.utils import timezone

    from clinic.accounts.roles import Role
    from clinic.notifications.models import ContactPreference
    from consultations.models import (
        Appointment,
        AppointmentType,
        Location,
        Provider,
        WorkingHours,
    )
    from intake import demo, services
    from intake.models import Intake

    world = World()
    with transaction.atomic():
        world.clinician = _user(f"{MARK}clinician@example.com", Role.CLINICIAN, "Bench", "Lee")
        world.coordinator = _user(
            f"{MARK}coordinator@example.com", Role.COORDINATOR, "Bench", "Coordinator"
        )
        review_patient = _user(f"{MARK}review@example.com", Role.PATIENT, "Rita", "Review")
        world.review_intake = Intake.objects.filter(patient=review_patient).first() or (
            demo.seed_intake(patient=review_patient, answers=demo.BASE, submit=True)
        )
        world.intake_patient = _user(f"{MARK}intake@example.com", Role.PATIENT, "Ian", "Intake")
        if not Intake.objects.filter(patient=world.intake_patient).exists():
            demo.seed_intake(
                patient=world.intake_patient,
                answers=demo.answers_for_steps(demo.BASE, ("about",)),
                submit=False,
            )
        services.start_intake(patient=world.intake_patient)
        world.picker_patient = _user(f"{MARK}picker@example.com", Role.PATIENT, "Pia", "Picker")
        if not Intake.objects.filter(patient=world.picker_patient).exists():
            intake = demo.seed_intake(patient=world.picker_patient, answers=demo.BASE, submit=True)
            Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.APPROVED)
        ContactPreference.objects.get_or_create(user=world.picker_patient)

        providers = list(Provider.objects.filter(display_name__startswith="Bench "))
        for i in range(len(providers), PROVIDERS):
            user = _user(f"{MARK}dr{i}@example.com", Role.CLINICIAN, "Doctor", f"Number{i}")
            provider = Provider.objects.create(user=user, display_name=f"Bench Dr {i}")
            WorkingHours.objects.bulk_create(
                WorkingHours(provider=provider, weekday=day, start=start, end=end)
                for day in range(5)
                for start, end in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(17)))
            )
            providers.append(provider)
        world.follow_up = AppointmentType.objects.get(kind="follow_up")
        world.initial = AppointmentType.objects.get(kind="initial")

        # The week after next (Monday), so every day of it is inside the booking window.
        today = timezone.localdate()
        world.week_day = today + dt.timedelta(days=14 - today.weekday())
        world.picker_day = world.week_day + dt.timedelta(days=1)
        if not Appointment.objects.filter(provider__in=providers).exists():
            location = Location.objects.filter(kind="clinic").first()
            patients = [
                _user(f"{MARK}appt{i}@example.com", Role.PATIENT, "Appt", f"Patient{i}")
                for i in range(20)
            ]
            zone = timezone.get_current_timezone()
            rows = []
            for i in range(WEEK_APPOINTMENTS):
                provider = providers[i % PROVIDERS]
                slot = i // PROVIDERS  # 20 a provider: 4 a weekday
                day = world.week_day + dt.timedelta(days=slot // 4)
                start = dt.datetime.combine(day, dt.time(9 + 2 * (slot % 4)), zone)
                end = start + dt.timedelta(minutes=world.follow_up.duration_minutes)
                rows.append(
                    Appointment(
                        patient=patients[i % len(patients)],
                        provider=provider,
                        appointment_type=world.follow_up,
                        kind=world.follow_up.kind,
                        location=location,
                        mode="in_person",
                        start=start,
                        end=end,
                        block_start=start,
                        block_end=end,
                    )
                )
            Appointment.objects.bulk_create(rows)
        seed_course(world)
    return world


COURSE_CHAIRS, COURSE_WEEKS, COURSE_INFUSIONS = 6, 8, 200


def seed_course(world: World) -> None:
    """The course planner's world: 6 chairs open 08:00-18:00 on weekdays, two supervisors,
    200 infusions of other patients over the next 8 weeks, and the picker patient with a
    "proceed" outcome. Made once; found after that."""
    from django.utils import timezone

    from clinic.accounts.roles import Role
    from consultations.models import (
        Appointment,
        AppointmentType,
        Chair,
        ConsultationOutcome,
        Location,
        OpeningHours,
        Provider,
    )

    location = Location.objects.filter(kind="clinic").first()
    today = timezone.localdate()
    world.course_first = today + dt.timedelta(days=14 - today.weekday())  # Monday after next
    if Chair.objects.filter(location=location, name__startswith="Bench chair").exists():
        return
    chairs = [
        Chair.objects.create(location=location, name=f"Bench chair {n}")
        for n in range(1, COURSE_CHAIRS + 1)
    ]
    OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=day, start=dt.time(8), end=dt.time(18))
        for day in range(5)
    )
    supervisors = list(Provider.objects.filter(display_name__startswith="Bench Dr")[:2])
    Provider.objects.filter(pk__in=[p.pk for p in supervisors]).update(supervises_infusions=True)
    infusion = AppointmentType.objects.get(kind="infusion")
    patients = [
        _user(f"{MARK}infusion{i}@example.com", Role.PATIENT, "Infusion", f"Patient{i}")
        for i in range(20)
    ]
    zone = timezone.get_current_timezone()
    days = [
        world.course_first + dt.timedelta(days=d)
        for d in range(COURSE_WEEKS * 7)
        if (world.course_first + dt.timedelta(days=d)).weekday() < 5
    ]
    rows = []
    for i in range(COURSE_INFUSIONS):
        day = days[i % len(days)]
        hour = 8 + 2 * ((i // len(days)) % 5)  # 08:00, 10:00, ... each with 1 h recovery
        start = dt.datetime.combine(day, dt.time(hour), zone)
        end = start + infusion.duration
        rows.append(
            Appointment(
                patient=patients[i % len(patients)],
                provider=supervisors[i % 2],
                appointment_type=infusion,
                kind=infusion.kind,
                location=location,
                mode="in_person",
                start=start,
                end=end,
                block_start=start,
                block_end=end,  # an infusion holds its chair; its supervisor stays free
                uses_chair=True,
                chair=chairs[(i // len(days)) % COURSE_CHAIRS],
                chair_end=end + dt.timedelta(minutes=infusion.chair_recovery_minutes),
            )
        )
    Appointment.objects.bulk_create(rows)
    consultation = Appointment.objects.create(
        patient=world.picker_patient,
        provider=supervisors[0],
        appointment_type=world.initial,
        kind=world.initial.kind,
        location=location,
        mode="in_person",
        start=timezone.now() - dt.timedelta(days=7),
        end=timezone.now() - dt.timedelta(days=7) + world.initial.duration,
        block_start=timezone.now() - dt.timedelta(days=7),
        block_end=timezone.now() - dt.timedelta(days=7) + world.initial.duration,
        status=Appointment.Status.COMPLETED,
    )
    ConsultationOutcome.objects.create(
        appointment=consultation,
        patient=world.picker_patient,
        decision=ConsultationOutcome.Decision.PROCEED,
        decided_at=timezone.now() - dt.timedelta(days=7),
    )


def insert_rows(model, rows: list) -> list:
    """Rows in bulk, each given its primary key. On PostgreSQL by COPY (keys taken from the
    table's sequence first), several times as fast as bulk_create's INSERTs; a JSON value
    the rows share (the template intake's answers) is encoded once. Elsewhere bulk_create."""
    import enum

    from django.db import connection
    from django.db.models import JSONField

    if connection.vendor != "postgresql":
        return model.objects.bulk_create(rows, batch_size=1000)
    meta, qn = model._meta, connection.ops.quote_name
    fields = meta.concrete_fields
    encoded: dict[int, tuple[object, str]] = {}  # id(value) → (value, its JSON text)

    def value(field, row):
        value = field.pre_save(row, add=True)
        if isinstance(field, JSONField):
            if value is None and field.null:
                return None
            if id(value) not in encoded:  # the value kept alongside, so its id stays its own
                encoded[id(value)] = (value, json.dumps(value, cls=field.encoder))
            return encoded[id(value)][1]
        value = field.get_db_prep_save(value, connection)
        return value.value if isinstance(value, enum.Enum) else value

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (key,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = key
        columns = ", ".join(qn(field.column) for field in fields)
        with cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([value(field, row) for field in fields])
    return rows


def seed_intakes(world: World, wanted: int) -> None:
    """Submitted intakes (of every status and triage) until there are `wanted`, in bulk.

    Each is a copy of the review intake's answers, scores and flags (about 5 KB of JSON a
    row, like a real one), under its own patient."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from clinic.accounts.models import User
    from clinic.accounts.roles import Role
    from intake.models import Intake, IntakeFlag
    from intake.screening import Triage

    have = User.objects.filter(email__startswith=f"{MARK}p").count()
    if have >= wanted:
        return
    started = time.perf_counter()
    template = world.review_intake
    flags = list(template.flags.all())
    patient_group = Group.objects.get(name=Role.PATIENT.value)
    S = Intake.Status
    statuses = [S.SUBMITTED, S.IN_REVIEW, S.WAITING_FOR_PATIENT, S.APPROVED, S.DECLINED]
    triages = [Triage.URGENT, Triage.STOP, Triage.REVIEW, Triage.CLEAR, Triage.CLEAR]
    rng = random.Random(have)
    now = timezone.now()
    chunk = 5000
    for first in range(have, wanted, chunk):
        numbers = range(first, min(first + chunk, wanted))
        with transaction.atomic():
            patients = insert_rows(
                User,
                [
                    User(
                        email=f"{MARK}p{i}@example.com",
                        password=UNUSABLE_PASSWORD,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(SURNAMES),
                        email_verified_at=now,
                    )
                    for i in numbers
                ],
            )
            insert_rows(
                User.groups.through,
                [User.groups.through(user_id=p.pk, group_id=patient_group.pk) for p in patients],
            )
            intakes = insert_rows(
                Intake,
                [
                    Intake(
                        patient=patient,
                        status=rng.choice(statuses),
                        questionnaire_version=template.questionnaire_version,
                        answers=template.answers,
                        scores=template.scores,
                        visited_steps=template.visited_steps,
                        current_step=template.current_step,
                        submitted_at=now - dt.timedelta(minutes=i),
                        triage=(triage := rng.choice(triages)),
                        triage_rank=triage.rank,
                        screening_policy=template.screening_policy,
                        screened_at=now,
                        mme_band=rng.choice(["none", "<50", "caution", "high"]),
                        phq9_band=rng.choice(["minimal", "mild", "moderate"]),
                        diagnosis_codes=template.diagnosis_codes,
                        phone=f"+1202{i:07d}",
                    )
                    for i, patient in zip(numbers, patients, strict=True)
                ],
            )
            insert_rows(
                IntakeFlag,
                [
                    IntakeFlag(
                        intake=intake,
                        code=flag.code,
                        title=flag.title,
                        severity=flag.severity,
                        source=flag.source,
                        message=flag.message,
                        detail=flag.detail,
                        triggers=flag.triggers,
                        position=flag.position,
                    )
                    for intake in intakes
                    for flag in flags
                ],
            )
        print(f"  seeded {numbers[-1] + 1}/{wanted} intakes", end="\r", flush=True)
    print(f"  seeded {wanted - have} intakes in {time.perf_counter() - started:.0f} s" + " " * 20)


# -------------------------------------------------------------------------- measuring


class Page:
    def __init__(self, key, label, who, url, method="get", data=None, status=200, shows=""):
        self.key, self.label, self.who, self.url = key, label, who, url
        self.method, self.data, self.status = method, data, status
        self.shows = shows  # text the page must contain, so a page that lost its point fails


def pages(world: World) -> list[Page]:
    from django.urls import reverse

    from intake import demo
    from tests.intake.helpers import post_data

    book = reverse("consultations:book")
    # The follow-up: the picker patient has had their consultation (the course planner
    # needs its outcome), so the initial type is no longer theirs to book.
    picker = f"{book}?type={world.follow_up.pk}&mode=in_person&provider=any"
    pain = reverse("intake:step", args=["pain"])
    autosave = reverse("intake:autosave", args=["pain"])
    pain_post = post_data("pain", demo.BASE)
    review = reverse("staff:intake", args=[world.review_intake.pk])
    week = reverse("schedule:week") + f"?date={world.week_day.isoformat()}"
    times = f"{picker}&date={world.picker_day.isoformat()}"
    autosave_post = {k: v for k, v in pain_post.items() if k != "action"}
    course_rules = {
        "count": 6,
        "first_date": world.course_first.isoformat(),
        "window_days": 7 * COURSE_WEEKS,
        "min_gap_days": 1,
        "weekdays_only": "on",
    }
    course = reverse("schedule:course_plan", args=[world.picker_patient.pk])
    course += "?" + "&".join(f"{k}={v}" for k, v in course_rules.items())
    return [
        Page("queue", "staff dashboard (queue)", "clinician", "/staff/"),
        Page("sorted", "dashboard sorted by name, page 3", "clinician", SORTED),
        Page("search", "dashboard search", "clinician", "/staff/?q=smith&status="),
        Page("coordinator", "coordinator view (dashboard)", "coordinator", "/staff/"),
        Page("review", "review page", "clinician", review),
        Page("step_get", "intake step GET", "intake_patient", pain),
        Page("step_post", "intake step POST", "intake_patient", pain, "post", pain_post, 302),
        Page("autosave", "intake autosave", "intake_patient", autosave, "post", autosave_post),
        Page(
            "picker_days",
            "slot picker days, 10 providers x 60 days",
            "picker_patient",
            picker,
            shows='id="days-h"',
        ),
        Page(
            "picker_times",
            "slot picker times (one day)",
            "picker_patient",
            times,
            shows='id="times-h"',
        ),
        Page("calendar", "calendar week, 200 appointments", "coordinator", week),
        Page("course", "course planner, 6 chairs x 8 weeks, 200 infusions", "coordinator", course),
    ]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _request(client, page: Page):
    if page.method == "post":
        # As the browser posts it: the intake form (no files) and its autosave, urlencoded.
        body = urlencode(page.data, doseq=True)
        return client.post(page.url, body, content_type="application/x-www-form-urlencoded")
    return client.get(page.url)


def clients(world: World) -> dict:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    made = {}
    for who in ("clinician", "coordinator", "intake_patient", "picker_patient"):
        user = getattr(world, who)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = user.totpdevice_set.filter(confirmed=True).first()
        if device is not None:  # staff: past the second factor, as after a real login
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        made[who] = client
    return made


def measure_page(client, page: Page, *, rounds: int, requests: int) -> tuple[list, float, int]:
    from django.db import connection

    response = _request(client, page)
    assert response.status_code == page.status, (page.url, response.status_code)
    assert page.shows.encode() in response.content, (page.url, page.shows)
    client.get("/bench/bare/")
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        _request(client, page)
    ratios, bare_rates = [], []
    for _ in range(rounds):
        bare = spent = 0.0
        for _ in range(requests):
            start = time.perf_counter()
            client.get("/bench/bare/")
            middle = time.perf_counter()
            _request(client, page)
            spent += time.perf_counter() - middle
            bare += middle - start
        ratios.append(bare / spent)  # (n / spent) / (n / bare)
        bare_rates.append(requests / bare)
    return ratios, statistics.median(bare_rates), counter.count


def show_queries(client, page: Page) -> None:
    """The SQL one request of a path runs, each statement with its time, after a warm-up."""
    from django.db import connection

    _request(client, page)
    seen = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(timed):
        response = _request(client, page)
    total = sum(spent for spent, _ in seen)
    size = len(response.content)
    print(f"\n=== {page.label}: {len(seen)} queries, {total * 1000:.2f} ms, {size:,} bytes")
    for spent, sql in seen:
        print(f"  {spent * 1000:6.2f} ms  {sql[:300]}")


def profile_page(client, page: Page, requests: int) -> None:
    """Where one path's time goes: cProfile over `requests` requests, after a warm-up, the
    functions with most time of their own and most time below them."""
    import cProfile
    import pstats

    _request(client, page)
    # Unprofiled first: cProfile's own overhead grows with the calls it counts.
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        _request(client, page)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        _request(client, page)
    profiler.disable()
    print(
        f"\n=== {page.label}: {requests} requests, unprofiled {cpu / requests * 1000:.2f} ms "
        f"CPU and {wall / requests * 1000:.2f} ms wall a request",
        flush=True,
    )
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(60)


def bare_rate(client, requests: int = 20) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        client.get("/bench/bare/")
    return requests / (time.perf_counter() - start)


def measure_dispatcher(world: World, client, *, rounds: int, messages: int):
    """Messages per second through the worker's task, a fresh batch of due rows each round:
    three appointment reminders to one booking confirmation (with its .ics). Bare requests
    just before and after each run say how busy the machine was (shown beside the rate)."""
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from clinic.notifications.models import Attempt, Message
    from clinic.notifications.tasks import dispatch_outbox
    from consultations.models import Appointment

    # Booked ones: a reminder of the completed consultation would be skipped, not sent.
    appointments = list(
        Appointment.objects.filter(
            provider__display_name__startswith="Bench ", status=Appointment.Status.BOOKED
        ).order_by("pk")
    )
    dispatch_outbox()  # what seeding queued (receipts) and an earlier run left: not counted
    if connection.vendor == "postgresql":
        # The outbox as autovacuum keeps it, not bloated by earlier runs' rows: each run
        # leaves 250 dead row versions a round that the claim's index scan would wade through.
        tables = ", ".join(model._meta.db_table for model in (Message, Attempt))
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables}")
    rates, bare_rates, per_message = [], [], 0.0
    for n in range(rounds):
        due = timezone.now() - dt.timedelta(minutes=1)
        run = f"{time.time_ns()}-{n}"
        Message.objects.bulk_create(
            Message(
                kind="booking_booked" if i % 4 == 3 else "reminder_24h",
                channel="email",
                recipient_id=appointment.patient_id,
                appointment=appointment,
                due_at=due,
                idempotency_key=f"bench:{run}:{i}",
                context={} if i % 4 == 3 else {"hours": 24},
            )
            for i in range(messages)
            for appointment in [appointments[i % len(appointments)]]
        )
        mail.outbox = []
        before = bare_rate(client)
        counter = QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            handled = dispatch_outbox()
        elapsed = time.perf_counter() - start
        assert handled == messages and len(mail.outbox) == messages, (handled, len(mail.outbox))
        rates.append(messages / elapsed)
        bare_rates.append((before + bare_rate(client)) / 2)
        per_message = counter.count / messages
    return rates, statistics.median(bare_rates), per_message


def run_size(world: World, wanted: int, args) -> list[tuple[str, str, str]]:
    from django.http import HttpResponse
    from django.test.utils import override_settings
    from django.urls import include, path

    def bare(request):
        return HttpResponse("ok")

    urlconf = type(
        "BenchUrls",
        (),
        {"urlpatterns": [path("bench/bare/", bare), path("", include("clinic.urls"))]},
    )
    rows = []
    chosen = [p for p in pages(world) if not args.paths or p.key in args.paths]
    # Static URLs without a collected manifest (a dictionary look-up either way).
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=urlconf, STORAGES=storages):
        made = clients(world)
        if args.show_queries:
            for page in chosen:
                show_queries(made[page.who], page)
            return rows
        if args.profile:
            bare_page = Page("bare", "bare view", "clinician", "/bench/bare/")
            for page in [bare_page, *chosen]:
                profile_page(made[page.who], page, args.profile)
            return rows
        for page in chosen:
            ratios, bare, queries = measure_page(
                made[page.who], page, rounds=args.rounds, requests=args.requests
            )
            cells = " / ".join(
                f"{r:.1%}" for r in (min(ratios), statistics.median(ratios), max(ratios))
            )
            rows.append((page.label, cells, f"{bare:.0f}", str(queries)))
            print(f"  {page.label:<44} {cells:<24} {bare:>6.0f} {queries:>4}", flush=True)
        if not args.paths or "dispatcher" in args.paths:
            rates, bare, per_message = measure_dispatcher(
                world, made["clinician"], rounds=args.rounds, messages=args.messages
            )
            cells = " / ".join(
                f"{r:.0f}" for r in (min(rates), statistics.median(rates), max(rates))
            )
            label = f"outbox dispatcher, messages/s ({args.messages} a run)"
            rows.append((label, cells, f"{bare:.0f}", f"{per_message:.1f} a message"))
            print(f"  {label:<44} {cells:<24} {bare:>6.0f} {per_message:.1f}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--intakes", default="10000", help="sizes, e.g. 1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="page requests a round")
    parser.add_argument("--messages", type=int, default=250, help="messages a dispatcher run")
    keys = "queue sorted search coordinator review step_get step_post autosave picker_days "
    keys += "picker_times calendar course dispatcher"
    parser.add_argument("--paths", default="", help=f"comma-separated, from: {keys}")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="instead: cProfile N requests of each path"
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="instead: each path's SQL, timed, once"
    )
    parser.add_argument("--results-file", help=argparse.SUPPRESS)  # one size's rows, as JSON
    args = parser.parse_args()
    args.paths = [p for p in args.paths.split(",") if p]
    if unknown := set(args.paths) - set(keys.split()):
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    sizes = sorted({int(n.replace("_", "")) for n in args.intakes.split(",")})
    if len(sizes) > 1:
        run_each_size_in_its_own_database(sizes, args)
        return

    import django

    django.setup()
    from django.db import connection

    from clinic.core.startup import settle

    settle()  # as clinic/wsgi.py does in each web worker, before its first request
    (size,) = sizes
    ensure_database()
    reset_database_if_larger(size)
    migrate()
    world = seed_fixed()
    seed_intakes(world, size)
    analyze()
    print(f"\n{size:,} intakes ({connection.vendor}), {args.rounds} rounds", flush=True)
    rows = run_size(world, size, args)
    if args.results_file:
        Path(args.results_file).write_text(json.dumps({"vendor": connection.vendor, "rows": rows}))
    else:
        print_table({size: rows}, args, connection.vendor)


def run_each_size_in_its_own_database(sizes: list[int], args) -> None:
    """Several sizes: each in a database of its own (the URL's name with the size after it),
    seeded once and reused by every later run, and measured by a process of its own, so no
    per-process cache carries one database's rows into another's pages."""
    import subprocess
    import tempfile

    results, vendor = {}, ""
    for size in sizes:
        url = sized_database_url(os.environ["DATABASE_URL"], size)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "rows.json"
            command = [sys.executable, __file__, "--intakes", str(size), "--results-file", str(out)]
            command += ["--rounds", str(args.rounds), "--requests", str(args.requests)]
            command += ["--messages", str(args.messages), "--paths", ",".join(args.paths)]
            print(f"\n{size:,} intakes: {url.rpartition('/')[2]}", flush=True)
            # This script again, with our own arguments: nothing from outside goes in.
            subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, check=True)  # noqa: S603
            found = json.loads(out.read_text())
        results[size], vendor = [tuple(row) for row in found["rows"]], found["vendor"]
    print_table(results, args, vendor)


def print_table(results: dict, args, vendor: str) -> None:
    sizes = list(results)
    print(
        f"\n{vendor}; ratio = page throughput / bare view throughput, "
        f"min / median / max of {args.rounds} rounds of {args.requests} requests; the "
        "dispatcher in messages/s; bare = the bare view's requests/s (median) alongside\n"
    )
    print("| path | " + " | ".join(f"{s:,} intakes | bare" for s in sizes) + " | queries |")
    print("|---" * (2 * len(sizes) + 2) + "|")
    for i, (label, *_rest) in enumerate(results[sizes[0]]):
        cells = " | ".join(f"{results[s][i][1]} | {results[s][i][2]}" for s in sizes)
        counts = [results[s][i][3] for s in sizes]
        shown = counts[0] if len(set(counts)) == 1 else " → ".join(counts)
        print(f"| {label} | {cells} | {shown} |")


if __name__ == "__main__":
    main()
