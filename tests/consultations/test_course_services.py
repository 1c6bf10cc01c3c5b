"""Booking a course of infusions: the selector's queries, one transaction, moving one
infusion, cancelling the course (and undoing it), and the messages each infusion gets."""

import datetime as dt

import pytest

from clinic.accounts.roles import Role
from clinic.audit.models import AuditEvent
from clinic.notifications.models import Message
from consultations import course_selectors, course_services
from consultations.course import SeriesRules
from consultations.models import Appointment, ConsultationOutcome, Course
from tests.conftest import make_user

from .conftest import NOW, NY, at
from .course_fixtures import give_outcome, infusions_of

FIRST = dt.date(2027, 1, 6)  # a Wednesday: NOW (Tue Jan 5, 09:00) plus the 24 h notice


def _rules(count=6, **kw):
    return SeriesRules(count=count, first_date=FIRST, **kw)


def _plan(patient, **kw):
    return course_services.plan_course(patient=patient, rules=_rules(**kw), now=NOW)


def _book(patient, actor, series=None, **kw):
    rules = _rules(**kw)
    series = series or course_services.plan_course(patient=patient, rules=rules, now=NOW).proposal
    return course_services.book_course(
        patient=patient, series=series, rules=rules, actor=actor, now=NOW
    )


def test_the_default_rules_come_from_clinic_settings_and_the_intake(ready_patient):
    rules = course_services.default_rules(patient=ready_patient, now=NOW)
    assert (rules.count, rules.window_days) == (6, 14)
    assert rules.first_date == FIRST + dt.timedelta(days=1)  # the first whole day after notice
    assert rules.preferred_times == {"morning"}  # the demo intake ticks "Morning"


def test_a_course_books_all_six_infusions_on_chairs_with_a_supervisor(
    ready_patient, coordinator, chairs, supervisor
):
    course_row = _book(ready_patient, coordinator)
    infusions = list(infusions_of(ready_patient))
    assert len(infusions) == 6
    assert {a.course_id for a in infusions} == {course_row.pk}
    assert {a.provider_id for a in infusions} == {supervisor.pk}
    assert all(a.chair_id == chairs[0].pk for a in infusions)
    assert all(a.chair_end - a.end == dt.timedelta(minutes=60) for a in infusions)
    assert [a.start.astimezone(NY).date().day for a in infusions] == [6, 8, 11, 13, 15, 18]
    assert all(a.start.astimezone(NY).time() == dt.time(9) for a in infusions)
    assert course_row.planned_count == 6 and course_row.outcome.lets_staff_plan
    assert AuditEvent.objects.filter(action="course_booked", patient=ready_patient).exists()


def test_two_courses_at_the_same_times_share_one_supervisor_on_two_chairs(
    ready_patient, other_patient, coordinator, chairs, supervisor
):
    give_outcome(other_patient, supervisor, hour=11)
    _book(ready_patient, coordinator)
    _book(other_patient, coordinator)
    mine, theirs = list(infusions_of(ready_patient)), list(infusions_of(other_patient))
    assert [a.start for a in mine] == [a.start for a in theirs]  # Dr Lee watches both chairs
    assert {a.provider_id for a in mine + theirs} == {supervisor.pk}
    assert {a.chair_id for a in mine} == {chairs[0].pk}
    assert {a.chair_id for a in theirs} == {chairs[1].pk}
    # A third course finds both chairs full at those times: it goes later, never three at once.
    third = make_user("third@example.com", Role.PATIENT)
    give_outcome(third, supervisor, hour=13)
    _book(third, coordinator)
    for infusion in infusions_of(third):
        assert infusion.start not in {a.start for a in mine}
        assert not (
            Appointment.objects.active()
            .filter(
                chair=infusion.chair, start__lt=infusion.chair_end, chair_end__gt=infusion.start
            )
            .exclude(pk=infusion.pk)
            .exists()
        )


def test_one_confirmation_for_the_series_and_reminders_for_each_infusion(
    ready_patient, coordinator
):
    _book(ready_patient, coordinator)
    ids = list(infusions_of(ready_patient).values_list("pk", flat=True))
    confirmations = Message.objects.filter(kind="course_booked")
    assert confirmations.count() == 1
    assert confirmations.get().context["infusions"] == ids
    assert not Message.objects.filter(kind="booking_booked").exists()
    day_before = Message.objects.filter(
        kind="infusion_day_before", appointment_id__in=ids, channel="email"
    )
    assert day_before.count() == 6
    first = infusions_of(ready_patient).first()
    due = day_before.get(appointment=first).due_at.astimezone(NY)
    assert (due.date(), due.time()) == (dt.date(2027, 1, 5), dt.time(10))
    assert Message.objects.filter(kind="reminder_24h", appointment_id__in=ids).exists()
    for row in Message.objects.filter(appointment_id__in=ids):
        assert "CRPS" not in str(row.context) and "ketamine" not in str(row.context).lower()


def test_the_day_before_message_asks_for_a_driver_and_carries_the_preparation_text(
    ready_patient, coordinator, django_capture_on_commit_callbacks
):
    from django.core import mail

    from clinic.core.models import ClinicSettings
    from clinic.notifications.dispatcher import dispatch_due

    ClinicSettings.load()
    ClinicSettings.objects.filter(pk=1).update(infusion_preparation="Eat a light breakfast.")
    _book(ready_patient, coordinator)
    mail.outbox.clear()
    first = infusions_of(ready_patient).first()
    Message.objects.filter(kind="infusion_day_before", appointment=first).update(
        due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    Message.objects.exclude(kind="infusion_day_before").update(status=Message.Status.CANCELLED)
    dispatch_due()
    body = mail.outbox[0].body
    assert "drive you home" in body and "24 hours" in body
    assert "Eat a light breakfast." in body
    assert "CRPS" not in body


def test_a_course_needs_a_proceed_outcome(approved_patient, coordinator, supervisor, chairs):
    give_outcome(approved_patient, supervisor, ConsultationOutcome.Decision.NEEDS_TESTS)
    series = course_services.plan_course(patient=approved_patient, rules=_rules(), now=NOW).proposal
    with pytest.raises(course_services.NotReadyForCourse):
        course_services.book_course(
            patient=approved_patient, series=series, rules=_rules(), actor=coordinator, now=NOW
        )
    assert not Course.objects.exists()


def test_a_time_taken_since_planning_books_nothing_and_offers_new_times(
    ready_patient, other_patient, coordinator, chairs, supervisor, infusion
):
    plan = _plan(ready_patient)
    # Both chairs are taken at the proposal's fourth time by another booking meanwhile.
    fourth = plan.proposal.infusions[3]
    for chair in chairs:
        Appointment.objects.create(
            patient=other_patient,
            provider=supervisor,
            appointment_type=infusion,
            kind="infusion",
            location=chair.location,
            mode="in_person",
            start=fourth.start,
            end=fourth.end,
            block_start=fourth.start,
            block_end=fourth.end,  # one supervisor on both chairs: the chairs are what is held
            uses_chair=True,
            chair=chair,
            chair_end=fourth.chair_end,
        )
    with pytest.raises(course_services.SeriesTaken) as taken:
        _book(ready_patient, coordinator, series=plan.proposal)
    assert not infusions_of(ready_patient).exists()
    assert not Course.objects.exists()
    assert "nothing was booked" in str(taken.value)
    assert taken.value.plan.ok
    assert fourth.start not in {i.start for i in taken.value.plan.proposal.infusions}


def _existing_infusions(n, patient, supervisor, infusion, chairs):
    """n short chair bookings spread over the window, all with one supervisor."""
    rows = []
    for i in range(n):
        day = FIRST + dt.timedelta(days=i % 14)
        start = at(day, 16, 0) + dt.timedelta(minutes=i // 14)  # never two at once
        rows.append(
            Appointment(
                patient=patient,
                provider=supervisor,
                appointment_type=infusion,
                kind="infusion",
                location=chairs[0].location,
                mode="in_person",
                start=start,
                end=start + dt.timedelta(minutes=1),
                block_start=start,
                block_end=start + dt.timedelta(minutes=1),
                uses_chair=True,
                chair=chairs[1] if i % 2 else None,
                chair_end=start + dt.timedelta(minutes=1),
                status=Appointment.Status.CANCELLED_CLINIC if i % 2 == 0 else "booked",
            )
        )
    Appointment.objects.bulk_create(rows)


@pytest.mark.parametrize("existing", [10, 200])
def test_the_planner_inputs_take_two_queries_however_many_infusions_exist(
    existing,
    ready_patient,
    other_patient,
    supervisor,
    infusion,
    chairs,
    clinic_location,
    django_assert_num_queries,
):
    _existing_infusions(existing, other_patient, supervisor, infusion, chairs)
    with django_assert_num_queries(2):
        inputs = course_selectors.plan_inputs(
            patient=ready_patient,
            appointment_type=infusion,
            location=clinic_location,
            first=FIRST,
            last=FIRST + dt.timedelta(days=55),
            now=NOW,
        )
    assert sum(len(v) for v in inputs.chair_busy.values()) == existing // 2


def test_moving_one_infusion_keeps_the_series_rules(ready_patient, coordinator):
    _book(ready_patient, coordinator)
    infusions = list(infusions_of(ready_patient))
    second = infusions[1]  # Fri Jan 8; neighbours Wed Jan 6 and Mon Jan 11
    with pytest.raises(course_services.MoveRefused, match="free day"):
        course_services.move_infusion(
            appointment=second, start=at(dt.date(2027, 1, 7), 9), actor=coordinator, now=NOW
        )
    with pytest.raises(course_services.MoveRefused, match="weekdays only"):
        course_services.move_infusion(
            appointment=second, start=at(dt.date(2027, 1, 9), 9), actor=coordinator, now=NOW
        )
    moved = course_services.move_infusion(
        appointment=second, start=at(dt.date(2027, 1, 8), 14), actor=coordinator, now=NOW
    )
    assert moved.start == at(dt.date(2027, 1, 8), 14)
    assert moved.chair_end == moved.start + dt.timedelta(hours=2)
    assert moved.events.last().action == "move"


def test_moving_outside_the_supervisors_hours_is_refused(ready_patient, coordinator):
    _book(ready_patient, coordinator)
    second = list(infusions_of(ready_patient))[1]
    # Dr Lee works 09:00-12:00 and 13:00-17:00: an 11:00 start would run recovery to 13:00.
    with pytest.raises(course_services.MoveRefused, match="No chair and supervising"):
        course_services.move_infusion(
            appointment=second, start=at(dt.date(2027, 1, 8), 11), actor=coordinator, now=NOW
        )


def test_cancelling_the_course_cancels_its_future_infusions_and_their_reminders(
    ready_patient, coordinator
):
    course_row = _book(ready_patient, coordinator)
    ids = list(infusions_of(ready_patient).values_list("pk", flat=True))
    with pytest.raises(course_services.ReasonNeeded):
        course_services.cancel_course(
            course_row=course_row, actor=coordinator, reason="other", now=NOW
        )
    cancelled = course_services.cancel_course(
        course_row=course_row, actor=coordinator, reason="provider_unavailable", now=NOW
    )
    assert len(cancelled) == 6
    course_row.refresh_from_db()
    assert course_row.status == Course.Status.CANCELLED
    assert course_row.cancel_reason == "The provider is unavailable"
    assert not Appointment.objects.active().filter(pk__in=ids).exists()
    pending = Message.objects.filter(appointment_id__in=ids, status=Message.Status.PENDING)
    # Only the two confirmations (not yet sent in this test) are left: no reminder goes.
    assert set(pending.values_list("kind", flat=True)) == {"course_booked", "course_cancelled"}
    assert AuditEvent.objects.filter(action="course_cancelled").exists()


def test_a_cancelled_course_can_be_undone_within_ten_minutes(ready_patient, coordinator):
    course_row = _book(ready_patient, coordinator)
    course_services.cancel_course(
        course_row=course_row, actor=coordinator, reason="clinic", now=NOW
    )
    course_row.refresh_from_db()
    with pytest.raises(course_services.StatusChangeRefused, match="10 minutes"):
        course_services.undo_cancel_course(
            course_row=course_row,
            actor=coordinator,
            now=course_row.cancelled_at + dt.timedelta(minutes=11),
        )
    course_services.undo_cancel_course(
        course_row=course_row,
        actor=coordinator,
        now=course_row.cancelled_at + dt.timedelta(minutes=2),
    )
    course_row.refresh_from_db()
    assert course_row.status == Course.Status.ACTIVE
    assert Appointment.objects.active().filter(course=course_row).count() == 6
    assert (
        Message.objects.filter(
            kind="infusion_day_before",
            channel="email",
            status=Message.Status.PENDING,
            appointment__course=course_row,
        ).count()
        == 6
    )


def test_a_booster_is_one_infusion_booked_the_same_way(ready_patient, coordinator):
    series_course = _book(ready_patient, coordinator)
    rules = SeriesRules(count=1, first_date=dt.date(2027, 2, 1))
    plan = course_services.plan_course(patient=ready_patient, rules=rules, now=NOW)
    booster = course_services.book_course(
        patient=ready_patient,
        series=plan.proposal,
        rules=rules,
        actor=coordinator,
        kind=Course.Kind.BOOSTER,
        parent=series_course,
        now=NOW,
    )
    assert booster.kind == "booster" and booster.infusions.count() == 1
    assert booster.parent == series_course


def test_moving_a_course_infusion_from_the_calendar_keeps_the_series_rules(
    ready_patient, coordinator
):
    # The calendar's and the portal's Move go through services.reschedule_appointment.
    from consultations import services

    _book(ready_patient, coordinator)
    second = list(infusions_of(ready_patient))[1]  # Fri Jan 8; neighbours Wed 6 and Mon 11
    with pytest.raises(course_services.MoveRefused, match="free day"):
        services.reschedule_appointment(
            appointment=second, start=at(dt.date(2027, 1, 7), 9), actor=coordinator, now=NOW
        )
    second.refresh_from_db()
    assert second.start.date() == dt.date(2027, 1, 8)
    moved = services.reschedule_appointment(
        appointment=second, start=at(dt.date(2027, 1, 8), 14), actor=coordinator, now=NOW
    )
    assert moved.start == at(dt.date(2027, 1, 8), 14) and moved.chair_id is not None
    assert moved.course_id == second.course_id
