"""The dispatcher reads a batch in a fixed number of queries, whatever its size: the claim
(one SELECT, one UPDATE for rows read alike) and one SELECT of the rows with everything
their texts show (and what their kinds prefetch). Each message then writes only what its
guarantees need: its outcome and attempt row, with the next row's lease renewal, committed
before the next send, so a worker killed mid-batch re-sends at most one message (see
test_worker_crash.py)."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.accounts.models import User
from clinic.accounts.roles import Role
from clinic.notifications import dispatcher
from clinic.notifications.models import Attempt, Message
from consultations.models import Appointment, AppointmentType, Location, Provider
from intake.models import Intake
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 5, 14, 0, tzinfo=dt.UTC)
S = Message.Status


def statements(captured) -> Counter:
    """SELECT / UPDATE / INSERT counts (savepoints of the test's transaction left out)."""
    verbs = Counter(q["sql"].lstrip().split(None, 1)[0].upper() for q in captured)
    return Counter({verb: verbs[verb] for verb in ("SELECT", "UPDATE", "INSERT", "WITH")})


@pytest.fixture(autouse=True)
def _rows_stay_fresh(monkeypatch):
    """A busy machine must not make a batch look slow enough to be read again."""
    monkeypatch.setattr(dispatcher, "FRESH_SECONDS", 3600)


def dispatch_counting() -> Counter:
    with CaptureQueriesContext(connection) as captured:
        dispatcher.dispatch_due(now=NOW, batch=50)
    return statements(captured.captured_queries)


def person(email: str) -> User:
    """A recipient (no password to hash: these tests make dozens)."""
    return User.objects.create(email=email, first_name=email.split("@")[0], last_name="Example")


def account_and_intake_messages(n: int) -> None:
    """Half email confirmations, half intake reminders, to people of their own."""
    rows = []
    for i in range(n):
        user = person(f"person{i}@example.com")
        intake = Intake.objects.create(patient=user, questionnaire_version="test")
        nudge = i % 2
        rows.append(
            Message(
                kind="intake_nudge_24h" if nudge else "verify_email",
                channel="email",
                recipient=user,
                intake=intake if nudge else None,
                due_at=NOW - dt.timedelta(minutes=1),
                idempotency_key=f"batch:{i}",
            )
        )
    Message.objects.bulk_create(rows)


def appointment_messages(n: int) -> None:
    """Reminders and booking confirmations (with a calendar file) of n appointments."""
    provider = Provider.objects.filter(display_name="Dr. Lee").first() or Provider.objects.create(
        user=make_user("dr.lee@example.com", Role.CLINICIAN, "Morgan", "Lee"),
        display_name="Dr. Lee",
    )
    follow_up = AppointmentType.objects.get(kind="follow_up")
    location = Location.objects.filter(kind="clinic").first()
    rows = []
    for i in range(n):
        patient = person(f"patient{n}-{i}@example.com")
        start = NOW + dt.timedelta(days=n, hours=i)  # each call its own day
        appointment = Appointment.objects.create(
            patient=patient,
            provider=provider,
            appointment_type=follow_up,
            kind=follow_up.kind,
            location=location,
            mode="in_person",
            start=start,
            end=start + dt.timedelta(minutes=20),
            block_start=start,
            block_end=start + dt.timedelta(minutes=20),
        )
        rows.append(
            Message(
                kind="booking_booked" if i % 2 else "reminder_24h",
                channel="email",
                recipient=patient,
                appointment=appointment,
                due_at=NOW - dt.timedelta(minutes=1),
                idempotency_key=f"appointment:{n}:{i}",
                context={} if i % 2 else {"hours": 24},
            )
        )
    Message.objects.bulk_create(rows)


@pytest.mark.parametrize("n", [4, 40])
def test_a_batch_reads_in_the_same_queries_whatever_its_size_and_each_send_writes_once(n):
    account_and_intake_messages(n)
    counts = dispatch_counting()
    assert len(mail.outbox) == n
    assert Counter(Message.objects.values_list("status", flat=True)) == {S.SENT: n}
    assert Attempt.objects.filter(ok=True).count() == n
    # Claim: SELECT … FOR UPDATE, one UPDATE (all rows were read alike); the batch: one
    # SELECT; the next claim finds nothing (one SELECT).
    assert counts["SELECT"] == 3, counts
    # The first row's lease renewal (UPDATE); then each message records its outcome and its
    # attempt, and renews the next row's lease (but the last), all in one commit: on
    # PostgreSQL one statement (WITH … UPDATE, INSERT, UPDATE), elsewhere three.
    if connection.vendor == "postgresql":
        assert (counts["UPDATE"], counts["INSERT"], counts["WITH"]) == (2, 0, n), counts
    else:
        assert (counts["UPDATE"], counts["INSERT"], counts["WITH"]) == (1 + 2 * n, n, 0), counts


def test_appointment_messages_load_their_appointment_type_place_and_clinician_with_the_batch():
    def reads_by_table(n: int) -> Counter:
        Message.objects.all().delete()
        appointment_messages(n)
        with CaptureQueriesContext(connection) as captured:
            dispatcher.dispatch_due(now=NOW, batch=50)
        tables = [
            Appointment._meta.db_table,
            AppointmentType._meta.db_table,
            Location._meta.db_table,
            Provider._meta.db_table,
        ]
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        return Counter(table for sql in selects for table in tables if f'FROM "{table}"' in sql)

    few, many = reads_by_table(2), reads_by_table(12)
    assert few == many == Counter(), (few, many)  # joined into the batch's one SELECT
    assert Counter(Message.objects.values_list("status", flat=True)) == {S.SENT: 12}


def test_rows_read_alike_are_claimed_by_one_update_and_rows_read_differently_each_by_theirs():
    account_and_intake_messages(6)
    Message.objects.filter(idempotency_key__in=["batch:0", "batch:1"]).update(attempts=2)
    with CaptureQueriesContext(connection) as captured:
        claimed = dispatcher.claim(now=NOW, limit=10)
    assert sorted(attempt for _pk, attempt in claimed) == [1, 1, 1, 1, 3, 3]
    assert statements(captured.captured_queries)["UPDATE"] == 2
    assert set(Message.objects.values_list("status", flat=True)) == {S.SENDING}


def test_a_row_that_changed_after_it_was_read_is_not_claimed_and_the_others_are():
    """Should a row change between the read and the claim all the same (row locks and the
    SQLite write lock forbid it), the shared UPDATE is undone and each row claimed alone."""
    account_and_intake_messages(3)
    taken = Message.objects.get(idempotency_key="batch:1")
    done = []

    def another_worker_between_the_read_and_the_claim(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and not done:  # the claim's read
            done.append(sql)
            Message.objects.filter(pk=taken.pk).update(status=S.SENT, attempts=1)
        return result

    with connection.execute_wrapper(another_worker_between_the_read_and_the_claim):
        claimed = dict(dispatcher.claim(now=NOW, limit=10))
    assert done, "the claim read nothing"
    assert taken.pk not in claimed and sorted(claimed.values()) == [1, 1]
    assert Message.objects.get(pk=taken.pk).status == S.SENT
    assert Message.objects.filter(status=S.SENDING).count() == 2


def test_a_batch_slower_than_its_freshness_reads_its_rows_again_and_sees_a_reason_gone(
    monkeypatch,
):
    """An intake submitted while its batch is being sent: its reminder is skipped."""
    account_and_intake_messages(4)
    nudge = Message.objects.filter(kind="intake_nudge_24h").order_by("pk").last()
    monkeypatch.setattr(dispatcher, "FRESH_SECONDS", 0)
    real_send = dispatcher.send_email

    def send_then_submit(**kwargs):
        Intake.objects.filter(pk=nudge.intake_id).update(status=Intake.Status.SUBMITTED)
        return real_send(**kwargs)

    monkeypatch.setattr(dispatcher, "send_email", send_then_submit)
    dispatcher.dispatch_due(now=NOW)
    nudge.refresh_from_db()
    assert (nudge.status, nudge.last_error) == (S.SKIPPED, "Intake no longer in progress")
    assert Message.objects.filter(status=S.SENT).count() == 3


def everyday_messages(n: int) -> None:
    """n of each kind a busy day sends most: confirm-your-email, intake reminder and
    receipt, 24 h appointment reminder, booking confirmation and move notice (each with a
    calendar file); every other person has a time zone of their own."""
    from clinic.notifications.models import ContactPreference
    from consultations.models import AppointmentEvent

    provider = Provider.objects.filter(display_name="Dr. Lee").first() or Provider.objects.create(
        user=make_user("dr.lee@example.com", Role.CLINICIAN, "Morgan", "Lee"),
        display_name="Dr. Lee",
    )
    follow_up = AppointmentType.objects.get(kind="follow_up")
    location = Location.objects.filter(kind="clinic").first()
    rows = []
    for i in range(n):
        for kind in (
            "verify_email",
            "intake_nudge_24h",
            "intake_receipt",
            "reminder_24h",
            "booking_booked",
            "booking_rescheduled",
        ):
            user = person(f"{kind}-{n}-{i}@example.com")
            if i % 2:
                ContactPreference.objects.create(user=user, time_zone="America/Denver")
            intake = appointment = None
            if kind.startswith("intake"):
                submitted = kind == "intake_receipt"
                intake = Intake.objects.create(
                    patient=user,
                    questionnaire_version="test",
                    status=Intake.Status.SUBMITTED if submitted else Intake.Status.IN_PROGRESS,
                    submitted_at=NOW if submitted else None,
                )
            if kind.startswith(("reminder", "booking")):
                start = NOW + dt.timedelta(days=n, hours=len(rows))  # each its own hour
                appointment = Appointment.objects.create(
                    patient=user,
                    provider=provider,
                    appointment_type=follow_up,
                    kind=follow_up.kind,
                    location=location,
                    mode="in_person",
                    start=start,
                    end=start + dt.timedelta(minutes=20),
                    block_start=start,
                    block_end=start + dt.timedelta(minutes=20),
                )
                AppointmentEvent.objects.create(appointment=appointment, to_status="booked")
                if kind == "booking_rescheduled":
                    AppointmentEvent.objects.create(
                        appointment=appointment,
                        to_status="booked",
                        note="Moved from 2027-01-09 10:00",
                    )
            rows.append(
                Message(
                    kind=kind,
                    channel="email",
                    recipient=user,
                    intake=intake,
                    appointment=appointment,
                    due_at=NOW - dt.timedelta(minutes=1),
                    idempotency_key=f"everyday:{n}:{len(rows)}",
                    context={"hours": 24} if kind == "reminder_24h" else {},
                )
            )
    Message.objects.bulk_create(rows)


def test_a_batch_of_everyday_kinds_reads_in_the_same_queries_whatever_its_size():
    """Time zones, the clinic's settings, the appointment's events (for the .ics and the
    "moved from" time) are read once a batch, never once a message."""

    def reads(n: int) -> int:
        Message.objects.all().delete()
        mail.outbox = []
        everyday_messages(n)
        counts = dispatch_counting()
        assert Counter(Message.objects.values_list("status", flat=True)) == {S.SENT: 6 * n}
        assert len(mail.outbox) == 6 * n
        return counts["SELECT"]

    few, many = reads(1), reads(8)
    assert few == many, (few, many)
    # What the batch read for each message is its own: the old time of a move, the number
    # of changes as the calendar file's SEQUENCE (one event booked, two when moved).
    moved = [m for m in mail.outbox if "has moved" in m.subject]
    assert len(moved) == 8 and all("January 9, 2027 at" in m.body for m in moved)
    sequences = Counter(
        (m.subject, m.attachments[0][1].split("SEQUENCE:")[1][:1])
        for m in mail.outbox
        if m.attachments
    )
    assert sequences == {
        ("Your appointment is booked", "0"): 8,
        ("Your appointment has moved", "1"): 8,
    }, sequences


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_dispatcher_commits_without_waiting_for_the_disk_and_leaves_the_connection_as_found():
    account_and_intake_messages(2)
    seen = []

    def setting_at_each_write(execute, sql, params, many, context):
        if sql.startswith("WITH"):
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(setting_at_each_write):
        dispatcher.dispatch_due(now=NOW)
    assert seen == ["off", "off"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
