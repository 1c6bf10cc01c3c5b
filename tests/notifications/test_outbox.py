"""The outbox: rows first, sent once by the dispatcher, skipped when their reason has gone.

Times are literals. `consultations.services` takes `now=` but does not hand it on to
`notify.booking_changed`, which plans reminders against the wall clock; the `wall_clock`
fixture pins that clock (time-machine) to the same instant so bookings in the past (the
2026 DST days) still get their reminders.
"""

import contextlib
import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.roles import Role
from clinic.core.models import ClinicSettings
from clinic.notifications import dispatcher, kinds, outbox, preferences
from clinic.notifications.channels import message_id
from clinic.notifications.models import Attempt, Message
from consultations import messages as notify
from consultations import services
from consultations.models import AppointmentType
from intake import demo
from intake import messages as intake_notify
from intake.digest import enqueue_daily_digest
from intake.models import Intake
from intake.nudges import enqueue_intake_nudges
from tests.conftest import lost_race, make_user

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2027, 1, 5, 9, 0, tzinfo=NY)  # a quiet week in January, no DST nearby
TUESDAY = dt.date(2027, 1, 12)
S = Message.Status

# Words from demo.BASE that must never leave the clinic in a message.
CLINICAL_ACRONYMS = ("CRPS", "MME", "PHQ", "GAD")
CLINICAL_WORDS = (
    "oxycodone",
    "opioid",
    "fracture",
    "burning",
    "allodynia",
    "complex regional",
    "diagnos",
    "self-harm",
    "suicid",
    "score",
)


def at(day: dt.date, hour: int, minute: int = 0, zone=NY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def assert_not_clinical(text: str) -> None:
    for word in CLINICAL_ACRONYMS:  # as words: the calendar file says "COMMENT"
        assert not re.search(rf"\b{word}", text), f"{word!r} leaked into a message:\n{text}"
    for word in CLINICAL_WORDS:
        assert word not in text.lower(), f"{word!r} leaked into a message:\n{text}"
    assert demo.BASE["main_complaint"] not in text


@pytest.fixture(autouse=True)
def _sms_to_tmp(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.SITE_URL = "https://clinic.example"


def sms_sent(settings) -> list[dict]:
    folder = settings.SMS_FILE_PATH
    if not folder.exists():
        return []
    return [json.loads(line) for f in sorted(folder.iterdir()) for line in f.open()]


@pytest.fixture
def wall_clock(time_machine):
    """Pin the clock notify.booking_changed plans reminders with (see the module docstring)."""

    def pin(now: dt.datetime) -> None:
        time_machine.move_to(now, tick=False)

    pin(NOW)
    return pin


def book(patient, provider, start, *, now=NOW, appointment_type=None):
    return services.book_appointment(
        patient=patient,
        appointment_type=appointment_type or AppointmentType.objects.get(kind="initial"),
        provider=provider,
        start=start,
        mode="in_person",
        actor=patient,
        now=now,
    )


def reminders(appointment, status=S.PENDING) -> set[tuple[str, str, dt.datetime]]:
    rows = Message.objects.filter(
        appointment=appointment, kind__startswith="reminder", status=status
    )
    return {(m.kind, m.channel, m.due_at.astimezone(UTC)) for m in rows}


def claimed_pks(now, limit) -> list[int]:
    return [pk for pk, _attempt in dispatcher.claim(now=now, limit=limit)]


def make_message(user, key, *, due=NOW, kind="verify_email", channel="email", **kw):
    return outbox.enqueue(kind=kind, recipient=user, channel=channel, due_at=due, key=key, **kw)


# ----------------------------------------------------------------------- enqueue, cancel


def test_enqueue_is_idempotent_by_key(patient):
    first = make_message(patient, "k1")
    again = make_message(patient, "k1", due=NOW + dt.timedelta(days=3))
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert Message.objects.get().due_at == NOW  # the first enqueue wins


def test_enqueue_that_loses_a_race_returns_the_row_the_winner_made(patient):
    # The loser looked before the winner committed: it saw nothing and tries to insert.
    def winner():
        return Message.objects.create(
            kind="verify_email",
            recipient=patient,
            channel="email",
            due_at=NOW,
            idempotency_key="race",
        )

    with lost_race(Message, winner) as race:
        loser = make_message(patient, "race")
    assert race["inserts"] == 2
    assert loser.pk == race["row"].pk
    assert Message.objects.count() == 1


def test_cancel_pending_cancels_only_messages_not_sent_yet(patient):
    rows = {status: make_message(patient, f"k-{status}") for status in S.values}
    for status, row in rows.items():
        Message.objects.filter(pk=row.pk).update(status=status)
    assert outbox.cancel_pending(Message.objects.all()) == 1
    after = dict(Message.objects.values_list("idempotency_key", "status"))
    assert after["k-pending"] == S.CANCELLED
    for status in (S.SENDING, S.SENT, S.FAILED, S.SKIPPED):
        assert after[f"k-{status}"] == status


# --------------------------------------------------------------------------- claim, lease


def test_claim_takes_due_rows_in_order_with_a_lease_and_counts_the_attempt(patient, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    later = make_message(patient, "later", due=NOW - dt.timedelta(minutes=1))
    earliest = make_message(patient, "earliest", due=NOW - dt.timedelta(minutes=5))
    now_row = make_message(patient, "now", due=NOW)
    future = make_message(patient, "future", due=NOW + dt.timedelta(seconds=1))

    assert claimed_pks(now=NOW, limit=2) == [earliest.pk, later.pk]
    claimed = Message.objects.get(pk=earliest.pk)
    assert claimed.status == S.SENDING
    assert claimed.attempts == 1
    assert claimed.lease_until == NOW + dt.timedelta(seconds=60)
    assert claimed_pks(now=NOW, limit=10) == [now_row.pk]
    assert claimed_pks(now=NOW, limit=10) == []
    assert Message.objects.get(pk=future.pk).status == S.PENDING


def test_a_lease_that_ran_out_is_claimed_again(patient, settings):
    """The worker died mid-send: after the lease the row goes to another dispatcher."""
    settings.OUTBOX_LEASE_SECONDS = 300
    row = make_message(patient, "k")
    assert claimed_pks(now=NOW, limit=10) == [row.pk]
    lease_end = NOW + dt.timedelta(seconds=300)
    assert claimed_pks(now=lease_end - dt.timedelta(seconds=1), limit=10) == []
    assert claimed_pks(now=lease_end, limit=10) == []
    assert claimed_pks(now=lease_end + dt.timedelta(seconds=1), limit=10) == [row.pk]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENDING, 2)

    assert dispatcher.dispatch_due(now=lease_end + dt.timedelta(seconds=302)) == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    assert len(mail.outbox) == 1


def test_a_dispatcher_whose_lease_ran_out_does_not_send_rows_reclaimed_meanwhile(
    patient, settings, monkeypatch
):
    """Dispatcher A claims two rows and hangs on the first past its lease; B reclaims both.

    The row A was sending may go twice (A's send started inside its lease; same key), but
    A must not go on to send the second row, which B already sent.
    """
    settings.OUTBOX_LEASE_SECONDS = 60
    first, second = make_message(patient, "first"), make_message(patient, "second")
    real_send = dispatcher.send_email
    b_ran = []

    def hanging_send(*, to, rendered, key):
        result = real_send(to=to, rendered=rendered, key=key)
        if not b_ran:  # A, stuck for longer than its lease: B runs meanwhile
            b_ran.append("running")
            b_ran[0] = dispatcher.dispatch_due(now=NOW + dt.timedelta(seconds=61))
        return result

    monkeypatch.setattr(dispatcher, "send_email", hanging_send)
    dispatcher.dispatch_due(now=NOW)
    assert b_ran == [2]
    keys = [m.extra_headers["X-Idempotency-Key"] for m in mail.outbox]
    assert keys.count("second") == 1, keys
    assert keys.count("first") == 2, keys  # the unavoidable one, with the same key
    assert set(Message.objects.values_list("status", flat=True)) == {S.SENT}
    assert Attempt.objects.filter(message=second, ok=True).count() == 1
    assert Attempt.objects.filter(message=first, ok=True).count() >= 1


# ------------------------------------------------------------------------------ sending


def test_send_one_records_the_provider_id_and_an_attempt(patient):
    row = make_message(patient, "verify:1")
    assert dispatcher.dispatch_due(now=NOW) == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    assert row.sent_at is not None and row.lease_until is None and row.attempts == 1
    assert row.provider_message_id == message_id("verify:1")
    attempt = Attempt.objects.get(message=row)
    assert attempt.ok and attempt.provider_message_id == row.provider_message_id
    assert dispatcher.dispatch_due(now=NOW + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_email_carries_a_message_id_derived_from_the_key_and_the_key_itself(patient, settings):
    make_message(patient, "verify:42")
    make_message(patient, "verify:43")
    dispatcher.dispatch_due(now=NOW)
    first, second = mail.outbox
    assert first.to == ["alice@example.com"]
    assert first.extra_headers["X-Idempotency-Key"] == "verify:42"
    headers = first.message()
    assert headers["X-Idempotency-Key"] == "verify:42"
    assert headers["Message-ID"] == message_id("verify:42")
    assert headers["Message-ID"].endswith(f"@{settings.EMAIL_MESSAGE_ID_DOMAIN}>")
    # Stable for a key (a provider can drop the duplicate), different between keys.
    assert message_id("verify:42") == message_id("verify:42")
    assert second.message()["Message-ID"] != headers["Message-ID"]
    # The link is made at send time (its token is never stored): a real verification link.
    assert "Alice" in first.body and "https://clinic.example/accounts/verify/" in first.body


@contextlib.contextmanager
def attempts_refused():
    """A trigger that fails every insert of an attempt row, in the database itself: the
    dispatcher writes the outcome and the attempt in one statement on PostgreSQL."""
    table = Attempt._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_attempt() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'worker killed'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_attempt BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_attempt()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_attempt BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'worker killed'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_attempt ON {table}")
                cursor.execute("DROP FUNCTION refuse_attempt()")
            else:
                cursor.execute("DROP TRIGGER refuse_attempt")


def test_a_sent_row_and_its_attempt_are_written_together_or_not_at_all(patient, settings):
    """A send whose attempt row cannot be written (here the database refuses the insert, as
    if the worker died between the writes) must not leave a row marked sent with no attempt:
    the row stays claimed and is sent again after its lease, with the same key."""
    row = make_message(patient, "together")
    ((pk, attempt),) = dispatcher.claim(now=NOW, limit=10)

    with attempts_refused(), pytest.raises(DatabaseError):
        dispatcher.send_one(pk, now=NOW, attempt=attempt)
    row.refresh_from_db()
    assert (row.status, row.sent_at, Attempt.objects.count()) == (S.SENDING, None, 0)

    after_lease = NOW + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert dispatcher.dispatch_due(now=after_lease) == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    assert Attempt.objects.filter(message=row, ok=True).count() == 1
    assert [m.extra_headers["X-Idempotency-Key"] for m in mail.outbox] == ["together"] * 2


def test_backoff_doubles_from_one_minute_up_to_an_hour():
    minutes = [dispatcher.backoff(n) / dt.timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_failure_is_retried_with_backoff_then_marked_failed(patient, settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 4

    def provider_down(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(dispatcher, "send_email", provider_down)
    row = make_message(patient, "k")
    when = NOW
    for attempt, wait in ((1, 1), (2, 2), (3, 4)):
        assert dispatcher.dispatch_due(now=when) == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == (S.PENDING, attempt)
        assert row.due_at == when + dt.timedelta(minutes=wait)
        assert row.lease_until is None
        assert row.last_error == "ConnectionRefusedError: smtp down"
        assert dispatcher.dispatch_due(now=row.due_at - dt.timedelta(seconds=1)) == 0
        when = row.due_at
    assert dispatcher.dispatch_due(now=when) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 4)
    assert list(Message.objects.failed()) == [row]
    assert dispatcher.dispatch_due(now=when + dt.timedelta(days=2)) == 0
    assert [a.ok for a in Attempt.objects.filter(message=row)] == [False] * 4
    assert mail.outbox == []


def test_resend_puts_a_failed_message_back_in_the_queue_now(patient, monkeypatch):
    row = make_message(patient, "k")
    sent = make_message(patient, "sent")
    Message.objects.filter(pk=row.pk).update(status=S.FAILED, attempts=6, last_error="boom")
    Message.objects.filter(pk=sent.pk).update(status=S.SENT)
    dispatcher.resend(row)
    dispatcher.resend(Message.objects.get(pk=sent.pk))  # only failed messages are resent
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 0)
    assert abs(row.due_at - timezone.now()) < dt.timedelta(minutes=1)
    assert Message.objects.get(pk=sent.pk).status == S.SENT
    assert dispatcher.dispatch_due() == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    assert [m.extra_headers["X-Idempotency-Key"] for m in mail.outbox] == ["k"]


@pytest.fixture
def kind_without_template(monkeypatch):
    """A declared kind whose template is missing (a deploy that forgot a file)."""
    kind = kinds.MessageKind(
        code="no_such_kind",
        label="Broken",
        subject="Broken",
        templates={"email": "notifications/no_such_template.email.txt"},
        context=lambda message: {},
    )
    monkeypatch.setitem(kinds._registry, kind.code, kind)
    return kind


def test_a_message_that_cannot_be_rendered_fails_like_a_send_and_the_batch_goes_on(
    patient, kind_without_template
):
    broken = make_message(patient, "broken", kind="no_such_kind")
    fine = make_message(patient, "fine")
    assert dispatcher.dispatch_due(now=NOW) == 2
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (S.PENDING, 1)
    assert broken.last_error.startswith("TemplateDoesNotExist")
    assert broken.lease_until is None
    assert Message.objects.get(pk=fine.pk).status == S.SENT


def test_a_message_of_an_undeclared_kind_fails_and_says_so(patient):
    row = make_message(patient, "unknown", kind="not_declared_anywhere")
    dispatcher.dispatch_due(now=NOW)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 1)
    assert row.last_error == "UnknownKind: no message kind 'not_declared_anywhere' is declared"


def test_send_now_on_commit_dispatches_once_the_transaction_commits(
    patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_message(patient, "urgent", due=timezone.now())
        outbox.send_now_on_commit()
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert Message.objects.get().status == S.SENT
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------------ skipping


def test_a_reminder_of_an_appointment_cancelled_mid_send_is_skipped(
    approved_patient, provider, wall_clock, settings
):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    due = at(TUESDAY, 9) - dt.timedelta(hours=1)
    # The dispatcher has claimed everything due (so cancel_pending cannot reach the rows)…
    claimed = claimed_pks(now=due, limit=50)
    assert len(claimed) == 5  # booked + four reminders
    # …when the clinic cancels the appointment.
    services.cancel_appointment(appointment=appointment, actor=provider.user, now=NOW)
    results = {
        Message.objects.get(pk=pk).kind + "." + Message.objects.get(pk=pk).channel: (
            dispatcher.send_one(pk, now=due)
        )
        for pk in claimed
    }
    assert results == {
        "booking_booked.email": S.SENT,  # the appointment existed when it was booked
        "reminder_72h.email": S.SKIPPED,
        "reminder_24h.email": S.SKIPPED,
        "reminder_24h.sms": S.SKIPPED,
        "reminder_2h.sms": S.SKIPPED,
    }
    skipped = Message.objects.filter(kind__startswith="reminder").first()
    assert skipped.last_error == "Appointment is cancelled by clinic"
    assert [m.subject for m in mail.outbox] == ["Your appointment is booked"]
    assert sms_sent(settings) == []


def test_a_nudge_after_the_intake_was_submitted_is_skipped(patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=False)
    row = make_message(patient, "nudge", kind="intake_nudge_24h", intake=intake, context={})
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED)
    dispatcher.dispatch_due(now=NOW)
    row.refresh_from_db()
    assert (row.status, row.last_error) == (S.SKIPPED, "Intake no longer in progress")
    assert mail.outbox == []


@pytest.mark.parametrize("how", ["portal opt-out", "STOP reply", "consent withdrawn"])
def test_sms_without_consent_is_skipped_and_the_email_still_goes(
    approved_patient, provider, wall_clock, settings, how
):
    book(approved_patient, provider, at(TUESDAY, 9))
    if how == "portal opt-out":
        preferences.set_sms(user=approved_patient, enabled=False)
    elif how == "STOP reply":
        assert preferences.handle_inbound_sms(phone=demo.BASE["mobile_phone"], body=" Stop ") == 1
    else:
        preferences.update_from_answers(
            user=approved_patient, answers={**demo.BASE, "sms_consent": "no"}
        )
    dispatcher.dispatch_due(now=at(TUESDAY, 8, 30))
    sms_rows = Message.objects.filter(channel="sms")
    assert set(sms_rows.values_list("status", "last_error")) == {
        (S.SKIPPED, "No SMS consent, opted out, or no mobile number")
    }
    assert sms_sent(settings) == []
    emails = Message.objects.filter(channel="email", status=S.SENT).exclude(kind="intake_receipt")
    assert emails.count() == 3  # booked + two reminders (the receipt went when she submitted)


# ------------------------------------------------------------------- what messages say


def test_messages_hold_a_name_a_time_and_a_link_and_nothing_clinical(
    approved_patient, provider, wall_clock, settings
):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    intake_notify.patient_update(
        intake=Intake.objects.get(patient=approved_patient), kind=intake_notify.APPROVED
    )
    assert dispatcher.dispatch_due(now=at(TUESDAY, 8, 30)) == 6
    link = "https://clinic.example" + reverse("consultations:detail", args=[appointment.pk])
    when = "Tuesday, January 12, 2027 at 9:00 AM EST"

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Reminder: your appointment",
        "Reminder: your appointment tomorrow",
        "You can now book your consultation",
        "Your appointment is booked",
    ]
    for email in mail.outbox:
        assert email.to == ["alice@example.com"]
        assert "Hello Alice," in email.body
        assert_not_clinical(email.subject + email.body)
        for name, content, _ in email.attachments:
            assert_not_clinical(name + str(content))
        if email.subject.startswith(("Reminder", "Your appointment")):
            assert when in email.body and link in email.body
        else:
            assert "https://clinic.example" + reverse("consultations:book") in email.body
    texts = sms_sent(settings)
    assert len(texts) == 2
    for text in texts:
        assert text["to"] == demo.BASE["mobile_phone"]
        assert "Hi Alice" in text["body"] and when in text["body"] and link in text["body"]
        assert "Reply STOP" in text["body"]
        assert_not_clinical(text["body"])


# ------------------------------------------------------- booking, reschedule, cancel, DST


def test_booking_plans_reminders_as_outbox_rows(approved_patient, provider, wall_clock):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))  # 14:00 UTC
    assert reminders(appointment) == {
        ("reminder_72h", "email", utc(2027, 1, 9, 14)),
        ("reminder_24h", "email", utc(2027, 1, 11, 14)),
        ("reminder_24h", "sms", utc(2027, 1, 11, 14)),
        # 07:00 is in the patient's quiet hours: the SMS moves to 08:00 EST.
        ("reminder_2h", "sms", utc(2027, 1, 12, 13)),
    }
    confirmation = Message.objects.get(kind="booking_booked")
    assert (confirmation.channel, confirmation.due_at, confirmation.status) == (
        "email",
        NOW,
        S.PENDING,
    )
    keys = Message.objects.filter(appointment=appointment).values_list("idempotency_key", flat=True)
    assert all(key.startswith(f"appt:{appointment.pk}:") for key in keys)
    # Planning again (the same booking) adds nothing.
    notify.booking_changed(appointment=appointment, change="booked", now=NOW)
    assert Message.objects.filter(appointment=appointment, kind__startswith="reminder").count() == 4


def test_reschedule_cancels_the_old_reminders_and_plans_new_ones(
    approved_patient, provider, wall_clock
):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    old = reminders(appointment)
    wednesday = TUESDAY + dt.timedelta(days=1)
    services.reschedule_appointment(
        appointment=appointment, start=at(wednesday, 14), actor=approved_patient, now=NOW
    )
    assert reminders(appointment, S.CANCELLED) == old
    assert reminders(appointment) == {
        ("reminder_72h", "email", utc(2027, 1, 10, 19)),
        ("reminder_24h", "email", utc(2027, 1, 12, 19)),
        ("reminder_24h", "sms", utc(2027, 1, 12, 19)),
        ("reminder_2h", "sms", utc(2027, 1, 13, 17)),
    }
    assert Message.objects.filter(kind="booking_rescheduled", status=S.PENDING).count() == 1


def test_a_sent_reminder_stays_sent_when_the_appointment_moves(
    approved_patient, provider, wall_clock
):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    dispatcher.dispatch_due(now=utc(2027, 1, 9, 14))  # the 72 h reminder goes
    wall_clock(utc(2027, 1, 9, 15))
    monday = TUESDAY - dt.timedelta(days=1)
    services.reschedule_appointment(
        appointment=appointment,
        start=at(monday, 14),
        actor=approved_patient,
        now=utc(2027, 1, 9, 15),
    )
    assert reminders(appointment, S.SENT) == {("reminder_72h", "email", utc(2027, 1, 9, 14))}
    # No new 72 h reminder: it would be due in the past.
    assert reminders(appointment) == {
        ("reminder_24h", "email", utc(2027, 1, 10, 19)),
        ("reminder_24h", "sms", utc(2027, 1, 10, 19)),
        ("reminder_2h", "sms", utc(2027, 1, 11, 17)),
    }


def test_moving_an_appointment_away_and_back_plans_its_reminders_again(
    approved_patient, provider, wall_clock
):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    planned = reminders(appointment)
    for start in (at(TUESDAY, 14), at(TUESDAY, 9)):
        appointment = services.reschedule_appointment(
            appointment=appointment, start=start, actor=approved_patient, now=NOW
        )
    assert reminders(appointment) == planned
    dispatcher.dispatch_due(now=at(TUESDAY, 8, 30))
    assert Message.objects.filter(kind="reminder_72h", status=S.SENT).count() == 1


def test_cancelling_cancels_the_reminders(approved_patient, provider, wall_clock):
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    planned = reminders(appointment)
    services.cancel_appointment(appointment=appointment, actor=approved_patient, now=NOW)
    assert reminders(appointment) == set()
    assert reminders(appointment, S.CANCELLED) == planned
    assert Message.objects.filter(kind="booking_cancelled", status=S.PENDING).count() == 1
    assert dispatcher.dispatch_due(now=at(TUESDAY, 8, 30)) == 2  # booked + cancelled emails
    assert sorted(m.subject for m in mail.outbox) == [
        "Your appointment is booked",
        "Your appointment is cancelled",
    ]


def test_a_clinic_set_36_hour_reminder_is_not_called_tomorrow(
    approved_patient, provider, wall_clock
):
    clinic = ClinicSettings.load()
    clinic.reminder_offsets = [{"hours": 36, "channels": ["email"]}]
    clinic.save()
    appointment = book(approved_patient, provider, at(TUESDAY, 9))
    row = Message.objects.get(appointment=appointment, kind__startswith="reminder")
    assert (row.kind, row.context) == ("reminder_24h", {"hours": 36})
    assert row.due_at == at(TUESDAY, 9) - dt.timedelta(hours=36)
    dispatcher.dispatch_due(now=row.due_at)
    reminder_subjects = [m.subject for m in mail.outbox if m.subject.startswith("Reminder")]
    assert reminder_subjects == ["Reminder: your appointment"]


@pytest.mark.parametrize(
    ("day", "booked_at", "start", "expected", "when"),
    [
        pytest.param(
            dt.date(2026, 3, 9),  # the Monday after clocks go forward (Sun 8 March, 02:00)
            dt.datetime(2026, 3, 2, 9, 0, tzinfo=NY),
            utc(2026, 3, 9, 14),  # 10:00 EDT
            {
                # Friday 10:00 EST: 71 real hours before.
                ("reminder_72h", "email", utc(2026, 3, 6, 15)),
                # Sunday 10:00 EDT, after the change.
                ("reminder_24h", "email", utc(2026, 3, 8, 14)),
                ("reminder_24h", "sms", utc(2026, 3, 8, 14)),
                ("reminder_2h", "sms", utc(2026, 3, 9, 12)),  # 08:00 EDT
            },
            "Monday, March 9, 2026 at 10:00 AM EDT",
            id="spring-forward",
        ),
        pytest.param(
            dt.date(2026, 11, 2),  # the Monday after clocks go back (Sun 1 November, 02:00)
            dt.datetime(2026, 10, 26, 9, 0, tzinfo=NY),
            utc(2026, 11, 2, 15),  # 10:00 EST
            {
                # Friday 10:00 EDT: 73 real hours before.
                ("reminder_72h", "email", utc(2026, 10, 30, 14)),
                ("reminder_24h", "email", utc(2026, 11, 1, 15)),
                ("reminder_24h", "sms", utc(2026, 11, 1, 15)),
                ("reminder_2h", "sms", utc(2026, 11, 2, 13)),  # 08:00 EST
            },
            "Monday, November 2, 2026 at 10:00 AM EST",
            id="fall-back",
        ),
    ],
)
def test_reminders_on_dst_change_days_fall_due_at_the_right_utc_instants(
    approved_patient, provider, wall_clock, settings, day, booked_at, start, expected, when
):
    wall_clock(booked_at)
    appointment = book(approved_patient, provider, at(day, 10), now=booked_at)
    assert appointment.start == start
    assert reminders(appointment) == expected
    seventy_two = next(due for kind, _, due in expected if kind == "reminder_72h")
    assert start - seventy_two != dt.timedelta(hours=72)  # the clock time, not elapsed time

    # Nothing is sent a second early; at each instant the right rows go, reading the local time.
    for due in sorted({due for _, _, due in expected}):
        rows = Message.objects.filter(appointment=appointment, kind__startswith="reminder")
        dispatcher.dispatch_due(now=due - dt.timedelta(seconds=1))
        assert not rows.filter(due_at=due).exclude(status=S.PENDING).exists()
        dispatcher.dispatch_due(now=due)
        assert set(rows.filter(due_at=due).values_list("status", flat=True)) == {S.SENT}
        assert not rows.filter(due_at__gt=due).exclude(status=S.PENDING).exists()
    reminder_emails = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert len(reminder_emails) == 2
    assert all(when in m.body for m in reminder_emails)
    assert all(when in text["body"] for text in sms_sent(settings))


def test_sms_reminders_never_fall_in_the_patients_quiet_hours(
    approved_patient, provider, wall_clock, settings
):
    """A patient in Los Angeles, an appointment at 10:00 New York time (07:00 for her)."""
    preferences.set_time_zone(user=approved_patient, time_zone="America/Los_Angeles")
    appointment = book(approved_patient, provider, at(TUESDAY, 10))  # 15:00 UTC
    assert reminders(appointment) == {
        ("reminder_72h", "email", utc(2027, 1, 9, 15)),
        ("reminder_24h", "email", utc(2027, 1, 11, 15)),  # email waits in the inbox
        # 07:00 in Los Angeles is quiet: the SMS goes at 08:00 PST.
        ("reminder_24h", "sms", utc(2027, 1, 11, 16)),
        # The 2 h SMS (05:00 PST) would move past the appointment: it is not planned at all.
    }
    dispatcher.dispatch_due(now=utc(2027, 1, 11, 16))
    (text,) = sms_sent(settings)
    assert "Tuesday, January 12, 2027 at 7:00 AM PST (10:00 AM EST clinic time)" in text["body"]


# ------------------------------------------------------- digest, nudges, urgent alerts


def test_the_daily_digest_goes_once_per_person_per_day(
    approved_patient, clinician, coordinator, clinic_admin
):
    day = dt.date(2027, 1, 12)
    assert enqueue_daily_digest(today=day) == 2
    assert enqueue_daily_digest(today=day) == 2  # beat fired twice
    rows = Message.objects.filter(kind="daily_digest")
    assert rows.count() == 2
    assert {row.due_at for row in rows} == {utc(2027, 1, 12, 12)}  # 07:00 EST
    assert dispatcher.dispatch_due(now=utc(2027, 1, 12, 12)) == 2
    enqueue_daily_digest(today=day)
    assert dispatcher.dispatch_due(now=utc(2027, 1, 12, 13)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["casey@example.com", "dr.lee@example.com"]
    for email in mail.outbox:
        assert "Alice" not in email.body and "Anderson" not in email.body
        assert_not_clinical(email.body)
        assert "https://clinic.example" + reverse("staff:dashboard") in email.body
    enqueue_daily_digest(today=day + dt.timedelta(days=1))
    assert Message.objects.filter(kind="daily_digest").count() == 4


def test_intake_nudges_go_once_each_and_stop_when_the_intake_is_submitted(patient):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=False)
    assert intake.status == Intake.Status.IN_PROGRESS
    last_change = NOW - dt.timedelta(hours=25)
    Intake.objects.filter(pk=intake.pk).update(updated_at=last_change)

    assert enqueue_intake_nudges(now=NOW) == 1  # the 24 h nudge; the 72 h one is not due
    enqueue_intake_nudges(now=NOW + dt.timedelta(minutes=15))  # beat again
    nudge = Message.objects.get()
    assert (nudge.kind, nudge.due_at) == ("intake_nudge_24h", last_change + dt.timedelta(hours=24))
    assert dispatcher.dispatch_due(now=NOW + dt.timedelta(minutes=15)) == 1
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"] and "Hello Alice," in email.body
    assert "https://clinic.example" + reverse("intake:resume") in email.body
    assert_not_clinical(email.subject + email.body)

    later = last_change + dt.timedelta(hours=73)
    enqueue_intake_nudges(now=later)
    assert sorted(Message.objects.values_list("kind", flat=True)) == [
        "intake_nudge_24h",
        "intake_nudge_72h",
    ]
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED)
    dispatcher.dispatch_due(now=later)
    assert Message.objects.get(kind="intake_nudge_72h").status == S.SKIPPED
    assert len(mail.outbox) == 1


def test_urgent_alert_emails_go_to_on_call_clinicians_only_and_say_nothing_clinical(
    patient, clinician, coordinator
):
    off_duty = make_user("dr.kim@example.com", Role.CLINICIAN, "Jo", "Kim")
    ClinicSettings.load().on_call_clinicians.add(clinician)
    intake = demo.seed_intake(patient=patient, answers={**demo.BASE, "phq9_9": "2"}, submit=False)
    assert intake.phq9_item9_positive
    rows = Message.objects.filter(kind="urgent_alert")
    assert [row.recipient for row in rows] == [clinician]
    assert off_duty not in [row.recipient for row in rows]

    dispatcher.dispatch_due(now=timezone.now() + dt.timedelta(seconds=1))
    (email,) = [m for m in mail.outbox if m.subject.startswith("Urgent")]
    assert email.to == ["dr.lee@example.com"]
    assert "https://clinic.example" + reverse("staff:intake", args=[intake.pk]) in email.body
    assert_not_clinical(email.subject + email.body)
    for personal in ("Alice", "Anderson", "Ali", demo.BASE["mobile_phone"], "1979"):
        assert personal not in email.body
