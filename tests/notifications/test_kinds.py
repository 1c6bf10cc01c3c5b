"""Message kinds: each declared once by its app (settings.MESSAGE_MODULES), complete, and
every one renders on every channel it declares."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.template.loader import get_template

from clinic.notifications import compose, kinds
from clinic.notifications.filters import MessageFilter
from clinic.notifications.models import ContactPreference, Message
from consultations.messages import reminder_kind, reminder_subject
from consultations.models import Appointment, Location
from intake import demo
from tests.notifications.test_outbox import assert_not_clinical

UTC = dt.UTC
START = dt.datetime(2027, 1, 12, 14, tzinfo=UTC)  # 9:00 in New York


def test_every_settings_module_declares_kinds_and_each_code_once(settings):
    codes = [kind.code for kind in kinds.all_kinds()]
    assert len(codes) == len(set(codes))
    for path in settings.MESSAGE_MODULES:
        module_kinds = __import__(path, fromlist=["KINDS"]).KINDS
        assert module_kinds, f"{path} declares no kinds"
        assert all(kinds.get(kind.code) is kind for kind in module_kinds)
    assert set(codes) >= {"verify_email", "reminder_24h", "intake_approved", "daily_digest"}


@pytest.mark.parametrize("kind", kinds.all_kinds(), ids=lambda kind: kind.code)
def test_every_kind_has_a_label_a_subject_a_template_per_channel_and_a_context_builder(kind):
    assert kind.code and len(kind.code) <= Message._meta.get_field("kind").max_length
    assert kind.label and kind.label != kind.code
    assert callable(kind.subject) or kind.subject.strip()
    assert kind.channels and set(kind.channels) <= set(Message.Channel.values)
    for template in kind.templates.values():
        get_template(template)  # raises TemplateDoesNotExist
    assert callable(kind.context)
    assert not kinds.problems(kind)


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ({"subject": ""}, "no subject"),
        ({"templates": {}}, "no template"),
        ({"templates": {"email": "notifications/missing.email.txt"}}, "missing.email.txt"),
        ({"templates": {"fax": "notifications/verify_email.email.txt"}}, "fax"),
        ({"context": None}, "no context builder"),
        ({"label": ""}, "no label"),
    ],
)
def test_a_kind_lacking_a_subject_template_or_context_builder_is_reported(broken, problem):
    fields = {
        "code": "half_done",
        "label": "Half done",
        "subject": "Hello",
        "templates": {"email": "notifications/verify_email.email.txt"},
        "context": lambda message: {},
        **broken,
    }
    problems = kinds.problems(kinds.MessageKind(**fields))
    assert any(problem in text for text in problems), problems


def test_the_system_check_reports_an_incomplete_kind(monkeypatch):
    half_done = kinds.MessageKind(
        code="half_done", label="Half done", subject="", templates={}, context=None
    )
    monkeypatch.setitem(kinds._registry, half_done.code, half_done)
    with pytest.raises(Exception, match="half_done"):
        call_command("check")


def test_message_kind_choices_and_the_log_filter_come_from_the_declarations():
    declared = [(kind.code, kind.label) for kind in kinds.all_kinds()]
    assert list(Message._meta.get_field("kind").choices) == declared
    assert list(MessageFilter().filters["kind"].field.choices)[1:] == declared
    assert kinds.label("reminder_24h") == kinds.get("reminder_24h").label
    assert kinds.label("retired_kind") == "Retired kind"  # rows of a kind since removed


# ------------------------------------------------------------------ render every kind


@pytest.fixture
def fixture_data(approved_patient, provider, initial, clinician):
    appointment = Appointment.objects.create(
        patient=approved_patient,
        provider=provider,
        appointment_type=initial,
        kind=initial.kind,
        location=Location.objects.first(),
        mode="in_person",
        start=START,
        end=START + dt.timedelta(hours=1),
        block_start=START,
        block_end=START + dt.timedelta(hours=1),
    )
    intake = demo.seed_intake(patient=approved_patient, answers=demo.BASE, submit=False)
    ContactPreference.objects.update_or_create(
        user=approved_patient,
        defaults={"phone": "+15035550123", "channel": "sms", "sms_consent_at": START},
    )
    # What the check-in and booster messages point at (their rows carry only these ids).
    from consultations.models import BoosterRequest, CheckIn, Course

    course = Course.objects.create(patient=approved_patient, planned_count=1)
    check_in = CheckIn.objects.create(
        patient=approved_patient,
        course=course,
        kind="week_1",
        due_at=dt.datetime.now(UTC),
        closes_at=dt.datetime.now(UTC) + dt.timedelta(days=14),
    )
    booster = BoosterRequest.objects.create(
        patient=approved_patient, course=course, requested_at=START
    )
    return {"appointment": appointment, "intake": intake, "check_in": check_in, "booster": booster}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "channel"),
    [(kind, channel) for kind in kinds.all_kinds() for channel in kind.channels],
    ids=lambda value: getattr(value, "code", value),
)
def test_every_kind_renders_on_each_of_its_channels(kind, channel, fixture_data, settings):
    settings.SITE_URL = "https://clinic.example"
    message = Message.objects.create(
        kind=kind.code,
        channel=channel,
        recipient=fixture_data["appointment"].patient,
        due_at=START,
        idempotency_key=f"render:{kind.code}:{channel}",
        appointment=fixture_data["appointment"],
        intake=fixture_data["intake"],
        context={
            "date": "2027-01-12",
            "hours": 24,
            "check_in": fixture_data["check_in"].pk,
            "booster_request": fixture_data["booster"].pk,
            "step": "pain",  # save and finish later: the step to come back to
        },
    )
    to, rendered = compose.render(Message.objects.select_related("recipient").get(pk=message.pk))
    assert to == ("alice@example.com" if channel == "email" else "+15035550123")
    assert rendered.subject.strip() and rendered.body.strip()
    assert "{{" not in rendered.body and "{%" not in rendered.body
    assert "https://clinic.example/" in rendered.body
    assert_not_clinical(rendered.subject + rendered.body)


# ------------------------------------------------------------------ reminder wording


@pytest.mark.parametrize(
    ("hours", "subject"),
    [
        (72, "Reminder: your appointment"),
        (48, "Reminder: your appointment"),
        (36, "Reminder: your appointment"),  # a day and a half: not "tomorrow"
        (24, "Reminder: your appointment tomorrow"),
        (12, "Reminder: your appointment in 12 hours"),
        (2, "Reminder: your appointment in 2 hours"),
        (1, "Reminder: your appointment in 1 hour"),
        (1.5, "Reminder: your appointment in 1.5 hours"),
    ],
)
def test_a_reminder_subject_is_worded_from_its_offset(hours, subject):
    assert reminder_subject(hours) == subject


@pytest.mark.parametrize(
    ("hours", "code"),
    [(336, "reminder_72h"), (48, "reminder_72h"), (36, "reminder_24h"), (12, "reminder_24h")]
    + [(11, "reminder_2h"), (1, "reminder_2h")],
)
def test_a_clinic_set_offset_is_logged_under_the_nearest_reminder_kind(hours, code):
    assert reminder_kind(hours).code == code
