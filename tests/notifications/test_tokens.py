"""One-time tokens (verify, reset, staff welcome) are made at send time: never in an outbox
row, its idempotency key or a mail header, and masked in every log line."""

import datetime as dt
import io
import logging
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from gunicorn.config import Config

from clinic.accounts import services
from clinic.accounts.roles import Role
from clinic.core.logs import MASK, GunicornLogger, MaskTokens, mask_tokens
from clinic.notifications import dispatcher
from clinic.notifications.models import Attempt, Message

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/(?:verify|password-reset)/(?P<uid>[^/]+)/(?P<token>[^/]+)/")


def _send_all():
    dispatcher.dispatch_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))


def _token_in(email) -> str:
    match = LINK.search(email.body)
    assert match, email.body
    return match["token"]


def _stored_text() -> str:
    """Every column of every outbox row and attempt, as text."""
    rows = list(Message.objects.values()) + list(Attempt.objects.values())
    return " ".join(str(value) for row in rows for value in row.values())


@pytest.mark.parametrize("flow", ["sign-up", "resend verification", "password reset", "staff"])
def test_a_one_time_token_is_in_no_outbox_column_key_or_header(
    flow, client, patient, clinic_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        if flow == "sign-up":
            services.register_patient(
                email="erin@example.com", password="a long phrase 123", first_name="Erin",
                last_name="Evans",
            )  # fmt: skip
        elif flow == "resend verification":
            services.send_verification_email(user=patient)
        elif flow == "password reset":
            client.post(reverse("accounts:password_reset"), {"email": patient.email})
        else:
            services.create_staff_account(
                email="sam@example.com",
                first_name="Sam",
                last_name="Staff",
                role=Role.CLINICIAN,
                actor=clinic_admin,
                reason="Joins the infusion team",
            )
    _send_all()
    (email,) = mail.outbox
    token = _token_in(email)
    assert len(token) > 20
    assert Message.objects.filter(status=Message.Status.SENT).count() == 1
    assert token not in _stored_text()
    assert all(token not in str(value) for value in email.extra_headers.values())
    assert token not in email.message()["Message-ID"]


def test_the_link_made_at_send_time_works(client, patient, django_capture_on_commit_callbacks):
    patient.email_verified_at = None
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_verification_email(user=patient)
    _send_all()
    path = LINK.search(mail.outbox[0].body).group(0).split("://", 1)[1]
    client.get(path[path.index("/") :])
    patient.refresh_from_db()
    assert patient.email_verified


# ------------------------------------------------------------------------------ logs


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("/accounts/verify/MQ/d1x2y3-0123456789abcdef/", f"/accounts/verify/MQ/{MASK}/"),
        (
            "GET /accounts/password-reset/Mg/d1x2y3-abcdef0123/ HTTP/1.1",
            f"GET /accounts/password-reset/Mg/{MASK}/ HTTP/1.1",
        ),
        ("/accounts/password-reset/Mg/set-password/", "/accounts/password-reset/Mg/set-password/"),
        ("/accounts/password-reset/sent/", "/accounts/password-reset/sent/"),
        ("/accounts/verify/resend/", "/accounts/verify/resend/"),
        ("/staff/intakes/3/", "/staff/intakes/3/"),
    ],
)
def test_mask_tokens_hides_only_the_token_segment(path, masked):
    assert mask_tokens(path) == masked


@pytest.fixture
def console_log():
    """The handlers settings.LOGGING installs (root and runserver's), into one buffer."""
    handlers = [
        handler
        for logger in (logging.getLogger(), logging.getLogger("django.server"))
        for handler in logger.handlers
        if any(isinstance(f, MaskTokens) for f in handler.filters)
    ]
    assert len(handlers) == 2
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


@pytest.mark.parametrize("name", ["", "django", "django.request", "django.server", "celery"])
def test_every_handler_a_log_line_can_reach_masks_tokens(name):
    logger = logging.getLogger(name)
    while logger:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue  # the test run's own capture
            if isinstance(handler, logging.NullHandler):
                continue  # writes nothing
            assert any(isinstance(f, MaskTokens) for f in handler.filters), (logger, handler)
        logger = logger.parent if logger.propagate else None


def test_no_log_line_holds_a_token(client, patient, console_log):
    bad = "d1x2y3-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    patient.email_verified_at = None
    patient.save()
    response = client.get(reverse("accounts:verify_email", args=["MQ", bad]))
    assert response.status_code == 400  # Django logs "Bad Request: <path>"
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /accounts/password-reset/MQ/{bad}/ HTTP/1.1", "302", "0"
    )
    lines = console_log.getvalue()
    assert "Bad Request: /accounts/verify/MQ/[token]/" in lines
    assert "GET /accounts/password-reset/MQ/[token]/ HTTP/1.1" in lines
    assert bad not in lines


def test_gunicorns_access_log_masks_the_token_in_every_field(tmp_path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(U)s %(s)s "%(f)s"')
    logger = GunicornLogger(config)
    token_path = "/accounts/password-reset/MQ/d1x2y3-bbbbbbbbbbbbbbbbbbbb/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": token_path,
        "PATH_INFO": token_path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://clinic.example" + token_path,
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=5))
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
    line = (tmp_path / "access.log").read_text()
    assert "d1x2y3-bbbb" not in line
    assert line.count("/accounts/password-reset/MQ/[token]/") == 3, line
