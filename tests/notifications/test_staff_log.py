"""The staff message log, a message's attempts, resend, and the failed count on the dashboard."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import User
from clinic.notifications.models import Attempt, Message
from tests.conftest import make_user

S = Message.Status
ROLES = ["patient", "other_patient", "coordinator", "clinician", "clinic_admin"]
STAFF = {"coordinator", "clinician", "clinic_admin"}
SECRET_LINK = "https://clinic.example/verify/SECRET-TOKEN-123"


def _message(recipient, *, kind="verify_email", status=S.FAILED, key=None, **extra):
    fields = {
        "kind": kind,
        "channel": "email",
        "recipient": recipient,
        "due_at": timezone.now() - dt.timedelta(hours=1),
        "status": status,
        "idempotency_key": key or f"test:{kind}:{recipient.pk}:{status}:{Message.objects.count()}",
        "context": {"link": SECRET_LINK},
        **extra,
    }
    return Message.objects.create(**fields)


@pytest.fixture
def failed(patient):
    message = _message(
        patient,
        attempts=6,
        last_error="SMTPRecipientsRefused: mailbox unavailable " + "x" * 200,
    )
    Attempt.objects.create(message=message, ok=False, error="TimeoutError: timed out")
    Attempt.objects.create(message=message, ok=False, error="SMTPRecipientsRefused: mailbox")
    return message


def _bulk(n: int, start: int = 0) -> None:
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.com", first_name="Bulk", last_name=f"P{i}")
        for i in range(start, start + n)
    )
    messages = Message.objects.bulk_create(
        Message(
            kind="reminder_24h",
            channel="sms",
            recipient=u,
            due_at=timezone.now(),
            status=S.FAILED,
            last_error="SendError: 500",
            idempotency_key=f"bulk:{u.pk}",
        )
        for u in users
    )
    Attempt.objects.bulk_create(
        Attempt(message=m, ok=False, error="SendError: 500") for m in messages for _ in range(2)
    )


# --- every view, every role ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_log_and_detail_are_for_staff_only(request, login, failed, role):
    client = login(request.getfixturevalue(role))
    for url in (reverse("messages:log"), reverse("messages:detail", args=[failed.pk])):
        assert client.get(url).status_code == (200 if role in STAFF else 403)


def test_anonymous_is_sent_to_login(client, failed):
    for url in (reverse("messages:log"), reverse("messages:detail", args=[failed.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("messages:resend", args=[failed.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    failed.refresh_from_db()
    assert failed.status == S.FAILED


@pytest.mark.parametrize("role", ROLES)
def test_resend_by_each_role(request, login, failed, role, django_capture_on_commit_callbacks):
    client = login(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messages:resend", args=[failed.pk]))
    failed.refresh_from_db()
    if role in STAFF:
        assert response.status_code == 302
        # Eager Celery: the dispatcher ran on commit and sent it.
        assert failed.status == S.SENT
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
        assert failed.attempt_log.filter(ok=True).count() == 1
    else:
        assert response.status_code == 403
        assert failed.status == S.FAILED and not mail.outbox


def test_resend_needs_bookings_or_settings_permission(login, failed):
    """A staff member who may only look at the dashboard sees the log but cannot resend."""
    viewer = make_user("viewer@example.com", None)
    group = Group.objects.create(name="dashboard viewers")
    group.permissions.add(Permission.objects.get(codename="view_staff_dashboard"))
    viewer.groups.add(group)
    client = login(viewer)
    html = client.get(reverse("messages:detail", args=[failed.pk])).content.decode()
    assert "Send again now" not in html
    assert client.post(reverse("messages:resend", args=[failed.pk])).status_code == 403
    failed.refresh_from_db()
    assert failed.status == S.FAILED


def test_resend_is_post_only(login, coordinator, failed):
    client = login(coordinator)
    assert client.get(reverse("messages:resend", args=[failed.pk])).status_code == 405
    assert client.post(reverse("messages:resend", args=[999999])).status_code == 404


def test_resend_leaves_a_message_that_did_not_fail_alone(login, coordinator, patient):
    sent = _message(patient, status=S.SENT, sent_at=timezone.now())
    response = login(coordinator).post(reverse("messages:resend", args=[sent.pk]), follow=True)
    assert "Only failed messages can be sent again" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.SENT and not mail.outbox


def test_resend_when_the_reason_is_gone_is_skipped_not_sent(
    login, coordinator, patient, django_capture_on_commit_callbacks
):
    failed_sms = _message(patient, kind="reminder_24h", channel="sms", status=S.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        login(coordinator).post(reverse("messages:resend", args=[failed_sms.pk]))
    failed_sms.refresh_from_db()
    assert failed_sms.status == S.SKIPPED  # no appointment, no SMS consent


def test_detail_needs_an_existing_message(login, coordinator):
    assert login(coordinator).get(reverse("messages:detail", args=[424242])).status_code == 404


# --- what the log shows ------------------------------------------------------------------------


def test_log_shows_plain_words_status_attempts_and_truncated_error_never_a_body(
    login, coordinator, failed
):
    response = login(coordinator).get(reverse("messages:log"))
    html = response.content.decode()
    table = html[html.index("<table") :]
    assert "Confirm email address" in table and "verify_email" not in table
    assert "Failed" in table and "Alice Anderson" in table
    assert "SMTPRecipientsRefused: mailbox unavailable" in table
    assert "x" * 100 not in html  # truncated; the whole error is on the message's page
    assert "SECRET-TOKEN-123" not in html and "Please confirm your email" not in html
    assert response.context["table"].page.object_list.data[0].tries == 2


def test_detail_lists_each_attempt_and_its_error(login, clinician, failed):
    html = login(clinician).get(reverse("messages:detail", args=[failed.pk])).content.decode()
    assert html.count("TimeoutError: timed out") == 1
    assert "Send again now" in html
    assert "SECRET-TOKEN-123" not in html


def test_detail_of_a_sent_message_has_no_resend_button(login, clinic_admin, patient):
    sent = _message(patient, status=S.SENT, sent_at=timezone.now())
    Attempt.objects.create(message=sent, ok=True, provider_message_id="SM123")
    html = login(clinic_admin).get(reverse("messages:detail", args=[sent.pk])).content.decode()
    assert "Send again now" not in html and "SM123" in html


def _rows(client, query: str) -> list[Message]:
    response = client.get(reverse("messages:log") + query)
    assert response.status_code == 200
    return list(response.context["table"].page.object_list.data)


def test_filters_by_patient_kind_status_channel_and_dates(
    login, coordinator, patient, other_patient
):
    alice = _message(patient, kind="booking_booked", status=S.SENT)
    charlie = _message(other_patient, kind="reminder_2h", status=S.FAILED, channel="sms")
    Message.objects.filter(pk=charlie.pk).update(due_at=dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC))
    client = login(coordinator)
    assert _rows(client, "?q=alice") == [alice]
    assert _rows(client, "?q=Charlie+Chen") == [charlie]
    assert _rows(client, "?q=charlie@example") == [charlie]
    assert _rows(client, "?kind=booking_booked") == [alice]
    assert _rows(client, "?status=failed") == [charlie]
    assert _rows(client, "?channel=sms") == [charlie]
    assert _rows(client, "?due_after=2026-03-10&due_before=2026-03-10") == [charlie]
    today = timezone.localdate().isoformat()
    assert set(_rows(client, f"?created_after={today}")) == {alice, charlie}


@pytest.mark.parametrize(
    "query",
    [
        "?due_after=9999-12-31",
        "?due_before=0001-01-01",
        "?created_after=not-a-date",
        "?due_after=2026-05-01&due_before=2026-04-01",
        "?kind=password",
        "?status=nope",
        "?sort=password",
        "?sort=-recipient",
        "?sort=tries",
        "?page=abc",
        "?page=-1",
        "?page=99999",
        "?per_page=-5",
        "?per_page=0",
        "?per_page=100000000",
        "?q=%00%27%22<script>",
    ],
)
def test_hostile_filters_never_fail(login, coordinator, failed, query):
    response = login(coordinator).get(reverse("messages:log") + query)
    assert response.status_code == 200


def test_bad_dates_are_explained_next_to_the_field_and_kept(login, coordinator, failed):
    response = login(coordinator).get(reverse("messages:log") + "?due_after=9999-12-31&q=alice")
    html = response.content.decode()
    assert "Choose dates between 2000 and 2100." in html
    assert 'value="9999-12-31"' in html and 'value="alice"' in html
    assert list(response.context["table"].page.object_list.data) == [failed]


@pytest.mark.parametrize("sort", ["due_at", "kind", "channel", "recipient", "status", "sent_at"])
def test_every_column_sorts(login, coordinator, failed, sort):
    for prefix in ("", "-"):
        assert _rows(login(coordinator), f"?sort={prefix}{sort}") == [failed]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_log_query_count_does_not_grow_with_rows(login, coordinator):
    client = login(coordinator)
    _bulk(5)
    small = _queries(client, reverse("messages:log"))
    _bulk(45, start=5)
    large = _queries(client, reverse("messages:log"))
    assert Message.objects.count() == 50
    assert small == large


def test_detail_query_count_does_not_grow_with_attempts(login, coordinator, failed):
    client = login(coordinator)
    url = reverse("messages:detail", args=[failed.pk])
    small = _queries(client, url)
    Attempt.objects.bulk_create(Attempt(message=failed, ok=False, error="E") for _ in range(30))
    assert _queries(client, url) == small


# --- the failed count on the dashboard ---------------------------------------------------------


def test_dashboard_counts_failed_messages_and_links_to_them(login, coordinator, patient):
    _message(patient, key="a")
    _message(patient, key="b")
    _message(patient, key="c", status=S.SENT)
    html = login(coordinator).get(reverse("staff:dashboard")).content.decode()
    assert "2 messages could not be sent." in html
    assert reverse("messages:log") + "?status=failed" in html


def test_dashboard_says_nothing_when_nothing_failed(login, clinician, patient):
    _message(patient, status=S.SENT)
    html = login(clinician).get(reverse("staff:dashboard")).content.decode()
    assert "could not be sent" not in html


def test_patients_never_get_the_failed_count(login, patient):
    _message(patient)
    response = login(patient).get(reverse("intake:portal"))
    assert "failed_message_count" not in response.context


def test_nav_links_by_role(login, patient, coordinator):
    staff_html = login(coordinator).get(reverse("staff:dashboard")).content.decode()
    assert f'href="{reverse("messages:log")}"' in staff_html
    assert reverse("messages:preferences") not in staff_html
    patient_html = login(patient).get(reverse("intake:portal")).content.decode()
    assert reverse("messages:preferences") in patient_html
    assert 'href="/messages/"' not in patient_html


# --- Django admin --------------------------------------------------------------------------------


def test_admin_shows_messages_read_only(login, clinic_admin, failed):
    client = login(clinic_admin)
    assert client.get("/django-admin/notifications/message/").status_code == 200
    html = client.get(f"/django-admin/notifications/message/{failed.pk}/change/").content.decode()
    assert "TimeoutError" in html and "SECRET-TOKEN-123" not in html
    assert client.get("/django-admin/notifications/message/add/").status_code == 403
    assert client.get("/django-admin/notifications/contactpreference/").status_code == 200
