"""A real Celery worker, on the configured broker (Redis in CI), runs a task we send."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from clinic.celery import app as celery_app
from clinic.core.models import Heartbeat
from clinic.core.tasks import record_heartbeat


def database_url_for_test_db() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def real_worker(transactional_db, django_db_serialized_rollback):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    log = Path(settings.VAR_DIR) / "test-worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clinic",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.worker
def test_real_worker_runs_a_task_sent_through_the_broker(real_worker):
    record_heartbeat.delay_on_commit("integration-test")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(source="integration-test").exists():
            break
        assert real_worker.poll() is None, "the worker exited; see var/test-worker.log"
        time.sleep(0.5)
    beat = Heartbeat.objects.get(source="integration-test")
    assert beat.count == 1
