import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.core.models import Heartbeat
from clinic.core.tasks import record_heartbeat


@pytest.mark.django_db
def test_landing_page_explains_the_program_and_offers_the_intake(client):
    html = client.get(reverse("landing")).content.decode()
    for words in ("CRPS", "Fibromyalgia", "opioids", "call 911", "988", "Start your intake"):
        assert words in html
    assert settings.CLINIC["phone"] in html  # footer contact details


@pytest.mark.django_db
def test_assets_are_served_locally_never_from_a_cdn(client):
    html = client.get(reverse("landing")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_unknown_page_gets_the_clinic_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We cannot find that page" in response.content


@pytest.mark.django_db
def test_server_error_page_is_friendly(client):
    from clinic.core.views import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert b"Your saved answers are safe" in response.content


@pytest.mark.django_db
def test_health_reports_database_and_last_heartbeat(client):
    assert client.get(reverse("health")).json() == {"database": "ok", "last_heartbeat": None}
    record_heartbeat.delay()
    record_heartbeat.delay()
    assert Heartbeat.objects.get(source="beat").count == 2
    assert client.get(reverse("health")).json()["last_heartbeat"]


@pytest.mark.django_db
def test_seed_demo_creates_every_role_and_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")
    for role in Role:
        assert User.objects.with_role(role).exists(), role
    assert User.objects.filter(email="admin@clinic.example").count() == 1


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_app_starts_with_secret_key_when_debug_is_off():
    assert _import_settings(DEBUG="false", SECRET_KEY="x" * 50).returncode == 0


def _import_settings_copy(tmp_path, **env):
    """Import a copy of settings.py whose BASE_DIR is an empty folder."""
    (tmp_path / "clinic").mkdir()
    (tmp_path / "clinic" / "__init__.py").write_text("")
    shutil.copy(settings.BASE_DIR / "clinic" / "settings.py", tmp_path / "clinic")
    drop = {"SECRET_KEY", "DEBUG", "CELERY_BROKER_URL", "DATABASE_URL", "PYTHONPATH"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "-c", "import clinic.settings"],
        env={**clean, "PYTHONPATH": str(tmp_path), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def test_importing_settings_writes_no_folders_or_files(tmp_path):
    result = _import_settings_copy(tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic"]
    assert not (tmp_path / "var").exists()


def test_debug_without_a_development_key_asks_for_make_instead_of_writing_one(tmp_path):
    result = _import_settings_copy(tmp_path, DEBUG="true")
    assert result.returncode != 0
    assert "make install" in result.stderr
    assert not (tmp_path / "var").exists()


@override_settings(DEBUG=False)
def test_celery_uses_json_only():
    from clinic.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
