"""Two dispatchers at the same moment (threads, or separate processes) send each message once.

The rows are committed (transactional tests) and each dispatcher has its own database
connection, as two Celery workers would. Deliveries go through the slow test backend, which
writes one line per email with its X-Idempotency-Key: a key on two lines would be a
duplicate delivery.
"""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from clinic.accounts.roles import Role
from clinic.notifications import dispatcher
from clinic.notifications.models import Attempt, Message
from tests.conftest import make_user
from tests.core.test_worker import database_url_for_test_db

from .slow_backend import DELAY_ENV, PATH_ENV, deliveries, key_counts

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BACKEND = "tests.notifications.slow_backend.SlowFileBackend"
NOW = dt.datetime(2027, 1, 5, 14, 0, tzinfo=dt.UTC)
N = 200
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite variant (PostgreSQL has its own)"
)


@pytest.fixture
def delivery_log(settings, tmp_path, monkeypatch):
    path = tmp_path / "deliveries.jsonl"
    settings.EMAIL_BACKEND = BACKEND
    monkeypatch.setenv(PATH_ENV, str(path))
    monkeypatch.setenv(DELAY_ENV, "0.01")
    return path


def make_due_messages(n: int, due: dt.datetime) -> list[str]:
    user = make_user("alice@example.com", Role.PATIENT, "Alice", "Anderson")
    keys = [f"concurrency:{i}" for i in range(n)]
    Message.objects.bulk_create(
        Message(
            kind="verify_email",
            channel="email",
            recipient=user,
            due_at=due - dt.timedelta(seconds=i % 7),
            idempotency_key=key,
            context={"link": f"https://clinic.example/verify/{i}"},
        )
        for i, key in enumerate(keys)
    )
    return keys


def assert_each_sent_once(keys: list[str], path) -> None:
    counts = key_counts(path)
    duplicates = {key: n for key, n in counts.items() if n > 1}
    assert not duplicates, f"delivered more than once: {duplicates}"
    assert set(counts) == set(keys), "a message was lost, or a foreign key was delivered"
    assert Counter(Message.objects.values_list("status", flat=True)) == {"sent": len(keys)}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert Attempt.objects.filter(ok=True).count() == len(keys)
    assert not Attempt.objects.filter(ok=False).exists()


def dispatch_in_threads(count: int, now: dt.datetime) -> list[int]:
    barrier = threading.Barrier(count)
    handled, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            handled.append(dispatcher.dispatch_due(now=now, batch=10))
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a dispatcher thread hung"
    assert not errors, errors
    return handled


@on_postgresql
@pytest.mark.parametrize("dispatchers", [2, 4])
def test_dispatchers_in_threads_at_the_same_moment_send_each_message_once(
    delivery_log, dispatchers
):
    keys = make_due_messages(N, NOW)
    handled = dispatch_in_threads(dispatchers, NOW)
    assert sum(handled) == N
    assert all(n > 0 for n in handled), f"the dispatchers did not overlap: {handled}"
    assert_each_sent_once(keys, delivery_log)


@on_sqlite
def test_dispatchers_in_threads_on_sqlite_send_each_message_once(delivery_log):
    keys = make_due_messages(N, NOW)
    handled = dispatch_in_threads(2, NOW)
    assert sum(handled) == N
    assert all(n > 0 for n in handled), f"the dispatchers did not overlap: {handled}"
    assert_each_sent_once(keys, delivery_log)


@on_postgresql
def test_rows_locked_by_a_claim_in_progress_are_skipped_not_waited_for():
    keys = make_due_messages(20, NOW)
    locked_pks = list(Message.objects.order_by("due_at", "pk").values_list("pk", flat=True)[:5])
    holding, release = threading.Event(), threading.Event()

    def other_dispatcher_mid_claim():
        try:
            with transaction.atomic():
                list(Message.objects.select_for_update().filter(pk__in=locked_pks))
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher_mid_claim)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        # The other dispatcher holds its locks until after this claim returns: a claim that
        # waited for them would only return once they were released, with all 20 rows.
        claimed = [pk for pk, _attempt in dispatcher.claim(now=NOW, limit=100)]
        assert len(claimed) == 15 and not set(claimed) & set(locked_pks)
    finally:
        release.set()
        thread.join(timeout=30)
    assert sorted(pk for pk, _ in dispatcher.claim(now=NOW, limit=100)) == sorted(locked_pks)
    assert Message.objects.filter(status=Message.Status.SENDING).count() == len(keys)


SCRIPT = """
import os, sys, time
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()
from clinic.notifications import dispatcher

go = float(sys.argv[1])
while time.time() < go:
    time.sleep(0.001)
print("handled", dispatcher.dispatch_due(batch=10), flush=True)
"""


def test_dispatchers_in_two_processes_at_the_same_moment_send_each_message_once(tmp_path):
    """Separate processes, on whichever database the suite runs (SQLite or PostgreSQL)."""
    keys = make_due_messages(N, timezone.now() - dt.timedelta(minutes=1))
    path = tmp_path / "deliveries.jsonl"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_test_db(),
        "EMAIL_BACKEND": BACKEND,
        PATH_ENV: str(path),
        DELAY_ENV: "0.01",
    }
    go = time.time() + 4  # both processes set up Django first, then start together
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(go)],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
            outputs.append(out)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    handled = [int(out.split()[-1]) for out in outputs]
    assert sum(handled) == N
    assert all(n > 0 for n in handled), f"the dispatchers did not overlap: {handled}"
    assert len({record["pid"] for record in deliveries(path)}) == 2
    assert_each_sent_once(keys, path)
