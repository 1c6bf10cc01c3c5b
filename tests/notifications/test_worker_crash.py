"""Real `celery -A clinic worker` and `celery -A clinic beat` processes on the configured
broker (Redis in CI; the filesystem broker locally) against the test database.

- A worker killed with SIGKILL in the middle of a batch of 200 due reminders, then started
  again: every reminder ends "sent", none is lost; a duplicate delivery (the email that
  was handed to the provider just before the kill, never recorded) carries the same
  idempotency key. The number of duplicates seen is in the assertion messages and in the
  JUnit properties (`duplicate_deliveries`).
- Two beat schedulers (each with its own schedule file and pidfile) and two workers
  running together: each message is delivered exactly once.

The lease is 5 s and beat fires the dispatcher every second, so the test runs in seconds.
Deliveries go through tests/notifications/slow_backend.py (one JSON line per email,
0.05 s each, so the kill lands mid-batch). Logs: the pytest tmp directory (printed on
failure).
"""

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.accounts.roles import Role
from clinic.notifications.models import Attempt, Message
from consultations.models import Appointment, AppointmentType, Location, Provider
from tests.conftest import make_user
from tests.core.test_worker import database_url_for_test_db

from .slow_backend import DELAY_ENV, PATH_ENV, deliveries, key_counts

pytestmark = pytest.mark.worker

BACKEND = "tests.notifications.slow_backend.SlowFileBackend"
LEASE_SECONDS = 5


class Celery:
    """Celery subprocesses, each in its own session so a kill reaches its whole group."""

    def __init__(self, tmp_path, env, delivery_log):
        self.tmp_path, self.env, self.processes = tmp_path, env, {}
        self.delivery_log = delivery_log

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with (self.tmp_path / f"{name}.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "clinic", *args, "--loglevel", "INFO"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "worker",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )

    def beat(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "beat",
            "--schedule",
            str(self.tmp_path / f"{name}-schedule"),
            "--pidfile",
            str(self.tmp_path / f"{name}.pid"),
        )

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}.log (tail)\n{self.log(name)[-2500:]}" for name in self.processes
        )

    def check_alive(self, *names: str) -> None:
        for name in names:
            assert self.processes[name].poll() is None, f"{name} exited\n{self.logs()}"

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@pytest.fixture
def celery(transactional_db, django_db_serialized_rollback, tmp_path):
    """Starts nothing by itself; always stops what the test started (before the database
    is flushed: this fixture depends on the database fixtures)."""
    delivery_log = tmp_path / "deliveries.jsonl"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "OUTBOX_DISPATCH_SECONDS": "1",
        "EMAIL_BACKEND": BACKEND,
        PATH_ENV: str(delivery_log),
        DELAY_ENV: "0.05",
    }
    processes = Celery(tmp_path, env, delivery_log)
    try:
        yield processes
    finally:
        processes.stop_all()


def due_reminders(n: int) -> list[str]:
    """n real booked appointments (an hour apart), each with a 24 h reminder email due now."""
    clinician = make_user("dr.lee@example.com", Role.CLINICIAN, "Morgan", "Lee")
    provider = Provider.objects.create(user=clinician, display_name="Dr. Lee")
    follow_up = AppointmentType.objects.get(kind="follow_up")
    location = Location.objects.filter(kind="clinic").first()
    patients = [
        make_user(f"patient{i}@example.com", Role.PATIENT, f"Pat{i}", "Example") for i in range(4)
    ]
    first = (timezone.now() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=patients[i % len(patients)],
            provider=provider,
            appointment_type=follow_up,
            kind=follow_up.kind,
            location=location,
            mode="in_person",
            start=(start := first + dt.timedelta(hours=i)),
            end=start + dt.timedelta(minutes=30),
            block_start=start,
            block_end=start + dt.timedelta(minutes=30),
        )
        for i in range(n)
    )
    due = timezone.now() - dt.timedelta(minutes=1)
    messages = Message.objects.bulk_create(
        Message(
            kind="reminder_24h",
            channel="email",
            recipient=appointment.patient,
            appointment=appointment,
            due_at=due,
            idempotency_key=(
                f"appt:{appointment.pk}:reminder_24h:email:{due.isoformat()}:"
                f"{appointment.start.isoformat()}"
            ),
        )
        for appointment in appointments
    )
    return [message.idempotency_key for message in messages]


def wait_until(condition, *, timeout: float, celery: Celery, alive: tuple[str, ...], what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        celery.check_alive(*alive)
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{celery.logs()}")


def sent_count() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def test_a_worker_killed_mid_batch_loses_no_reminder_and_duplicates_keep_their_key(
    celery, record_property
):
    keys = due_reminders(200)
    log = celery.delivery_log
    celery.worker("worker1")
    celery.beat("beat")
    wait_until(
        lambda: len(deliveries(log)) >= 30,
        timeout=90,
        celery=celery,
        alive=("worker1", "beat"),
        what="the first deliveries",
    )
    celery.kill("worker1", signal.SIGKILL)
    delivered_before_kill = len(deliveries(log))
    sent_before_kill = sent_count()
    assert delivered_before_kill < 200, "the kill came after the batch: nothing was proven"
    stuck = Message.objects.filter(status=Message.Status.SENDING).count()

    celery.worker("worker2")
    wait_until(
        lambda: sent_count() == 200,
        timeout=120,
        celery=celery,
        alive=("worker2", "beat"),
        what="all 200 reminders to be sent",
    )
    celery.stop_all()

    counts = key_counts(log)
    duplicates = {key: n for key, n in counts.items() if n > 1}
    extra = sum(counts.values()) - len(counts)
    report = (
        f"killed after {delivered_before_kill} deliveries ({sent_before_kill} recorded sent, "
        f"{stuck} claimed and in flight); {sum(counts.values())} deliveries for 200 reminders; "
        f"duplicate deliveries: {extra} {duplicates}"
    )
    record_property("duplicate_deliveries", extra)
    print(report)  # shown with -s, and in the captured output of a failure

    assert Counter(Message.objects.values_list("status", flat=True)) == {"sent": 200}, report
    # None lost: every reminder reached the provider at least once …
    assert set(keys) <= set(counts), f"never delivered: {set(keys) - set(counts)}; {report}"
    # … and every delivery, duplicates included, carries one of the messages' own keys.
    assert set(counts) <= set(keys), f"unknown keys delivered; {report}"
    # Only the email in flight at the kill can go twice: the rows the dead worker had
    # claimed but not reached were reclaimed after the lease, and sent once.
    assert extra <= 1, report
    assert Message.objects.filter(attempts=2).count() == stuck, report
    assert not Message.objects.filter(attempts__gt=2).exists(), report
    assert Attempt.objects.filter(ok=True).count() == 200, report
    for record in deliveries(log):
        assert record["message_id"].startswith("<"), record


def test_two_beats_and_two_workers_together_send_each_message_once(celery):
    keys = due_reminders(100)
    log = celery.delivery_log
    for name in ("worker-a", "worker-b", "beat-a", "beat-b"):
        if name.startswith("worker"):
            celery.worker(name)
        else:
            celery.beat(name)
    wait_until(
        lambda: sent_count() == 100,
        timeout=120,
        celery=celery,
        alive=("worker-a", "worker-b", "beat-a", "beat-b"),
        what="all 100 messages to be sent",
    )
    # Both schedulers ran at the same time, each firing the dispatcher.
    wait_until(
        lambda: all(
            "Sending due task dispatch-outbox" in celery.log(name) for name in ("beat-a", "beat-b")
        ),
        timeout=10,
        celery=celery,
        alive=("beat-a", "beat-b"),
        what="both beats to have sent the dispatch task",
    )
    celery.check_alive("beat-a", "beat-b")
    celery.stop_all()

    counts = key_counts(log)
    per_worker = Counter(record["pid"] for record in deliveries(log))
    report = f"deliveries per worker process: {dict(per_worker)}"
    print(report)
    assert {key: n for key, n in counts.items() if n > 1} == {}, report
    assert set(counts) == set(keys), report
    assert Counter(Message.objects.values_list("status", flat=True)) == {"sent": 100}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert Attempt.objects.filter(ok=True).count() == 100
