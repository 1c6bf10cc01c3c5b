"""Individual infusion chairs: booking takes a free chair inside opening hours and
supervision, moves and undos re-check it, and on PostgreSQL the exclusion constraint on
chair + time range (recovery included) is the last word."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from clinic.accounts.roles import Role
from clinic.audit.models import AuditEvent
from consultations import availability as av
from consultations import selectors, services
from consultations.models import (
    NO_CHAIR_DOUBLE_BOOKING,
    NO_DOUBLE_BOOKING,
    Appointment,
    AppointmentType,
    Chair,
    ConsultationOutcome,
    Provider,
    WorkingHours,
)
from tests.conftest import make_user

from .conftest import NOW, TUESDAY, at, consulted

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL (CI runs it)"
)


@pytest.fixture
def infusion():
    return AppointmentType.objects.get(kind="infusion")  # 60 min + 60 min recovery


def _provider(name: str, *, supervises=False) -> Provider:
    user = make_user(f"{name.lower()}@clinic.example", Role.CLINICIAN, name, "Doc")
    provider = Provider.objects.create(
        user=user, display_name=f"Dr. {name}", supervises_infusions=supervises
    )
    for weekday in range(5):
        WorkingHours.objects.create(
            provider=provider, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    return provider


def _ready(email: str, provider: Provider, hour: int = 9):
    """A patient whose consultation outcome is "proceed" (consulted a week ago at `hour`)."""
    patient = make_user(email, Role.PATIENT)
    consulted(patient, provider, outcome="proceed", hour=hour)
    return patient


def _book(patient, infusion, provider, start, actor):
    return services.book_appointment(
        patient=patient,
        appointment_type=infusion,
        provider=provider,
        start=start,
        mode="in_person",
        actor=actor,
        override_reason="Intake approved on paper",
        now=NOW,
    )


def _only_chairs(count: int) -> list[Chair]:
    chairs = list(Chair.objects.order_by("name"))
    Chair.objects.exclude(pk__in=[c.pk for c in chairs[:count]]).update(active=False)
    return chairs[:count]


def test_the_migration_made_four_named_chairs_at_the_main_clinic(db):
    rows = Chair.objects.filter(location__kind="clinic", active=True).order_by("name")
    assert [c.name for c in rows] == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert rows[0].location.opening_hours.count() == 5  # weekdays 08:00-18:00


def test_two_infusions_at_once_take_two_chairs(provider, coordinator, infusion):
    other = _provider("Patel")
    first = _book(
        _ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator
    )
    second = _book(_ready("b@example.com", other), infusion, other, at(TUESDAY, 9), coordinator)
    assert (first.chair.name, second.chair.name) == ("Chair 1", "Chair 2")
    assert first.chair_end == at(TUESDAY, 11)  # recovery included


def test_one_supervisor_watches_two_infusions_at_once_on_two_chairs(
    provider, coordinator, infusion
):
    # Dr Lee (the only supervisor) is booked for both; the consultations that made the
    # patients ready were with Dr Patel, so only the infusions are Dr Lee's.
    patel = _provider("Patel")
    first = _book(_ready("a@example.com", patel), infusion, provider, at(TUESDAY, 9), coordinator)
    offered = selectors.available_slots(
        appointment_type=infusion,
        provider_ids=[provider.pk],
        start_date=TUESDAY,
        end_date=TUESDAY,
        now=NOW,
    )
    assert at(TUESDAY, 9) in {s.start for s in offered}  # a chair is free, Dr Lee on duty
    second = _book(
        _ready("b@example.com", patel, hour=11), infusion, provider, at(TUESDAY, 9), coordinator
    )
    assert (first.provider, second.provider) == (provider, provider)
    assert (first.chair.name, second.chair.name) == ("Chair 1", "Chair 2")


def test_a_supervisor_may_see_a_patient_during_an_infusion_but_not_two_at_once(
    provider, coordinator, infusion, follow_up
):
    patel = _provider("Patel")
    _book(_ready("a@example.com", patel), infusion, provider, at(TUESDAY, 9), coordinator)
    seen = [_ready(f"{n}@example.com", patel, hour) for n, hour in (("c", 11), ("d", 13))]
    follow_up.bookable_by = "patient"
    follow_up.save(update_fields=["bookable_by"])

    def see(patient):
        return services.book_appointment(
            patient=patient,
            appointment_type=follow_up,
            provider=provider,
            start=at(TUESDAY, 9, 30),
            mode="in_person",
            actor=coordinator,
            now=NOW,
        )

    assert see(seen[0]).chair is None  # supervising the chair leaves Dr Lee free to see her
    with pytest.raises(services.SlotUnavailable):
        see(seen[1])  # …but not two consultations at once


def test_when_every_chair_is_taken_the_next_infusion_is_refused_as_taken(
    provider, coordinator, infusion
):
    _only_chairs(1)
    other = _provider("Patel", supervises=True)  # on duty through Dr. Lee's lunch
    _book(_ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator)
    late = _ready("b@example.com", other)
    # 10:30 is still inside the first infusion's recovery (until 11:00).
    with pytest.raises(services.SlotUnavailable, match="just taken"):
        _book(late, infusion, other, at(TUESDAY, 10, 30), coordinator)
    assert _book(late, infusion, other, at(TUESDAY, 11), coordinator).chair.name == "Chair 1"


def test_the_four_pm_infusion_with_an_hours_recovery_is_not_offered_when_the_day_ends_at_five(
    provider, coordinator, infusion
):
    free = selectors.available_slots(
        appointment_type=infusion,
        provider_ids=[provider.pk],
        start_date=TUESDAY,
        end_date=TUESDAY,
        now=NOW,
    )
    starts = {s.start for s in free}
    assert at(TUESDAY, 16) not in starts
    assert at(TUESDAY, 15) in starts  # recovery over at 17:00, Dr. Lee's last minute
    # Staff typing the time in are refused too, with the reason.
    with pytest.raises(services.InfusionNotCovered, match="supervises infusions"):
        _book(_ready("a@example.com", provider), infusion, provider, at(TUESDAY, 16), coordinator)


def test_an_infusion_needs_opening_hours_and_a_supervisor_whoever_is_booked(
    provider, coordinator, infusion
):
    other = _provider("Patel")  # not a supervisor; Dr. Lee (the fixture) is
    patient = _ready("a@example.com", other)
    provider.supervises_infusions = False
    provider.save(update_fields=["supervises_infusions"])
    with pytest.raises(services.InfusionNotCovered, match="supervises infusions"):
        _book(patient, infusion, other, at(TUESDAY, 9), coordinator)
    provider.supervises_infusions = True
    provider.save(update_fields=["supervises_infusions"])
    assert _book(patient, infusion, other, at(TUESDAY, 9), coordinator).chair
    Chair.objects.first().location.opening_hours.filter(weekday=TUESDAY.weekday()).delete()
    with pytest.raises(services.InfusionNotCovered, match="not open"):
        _book(patient, infusion, other, at(TUESDAY, 13), coordinator)


def test_moving_an_infusion_gives_it_a_chair_free_at_the_new_time(provider, coordinator, infusion):
    _only_chairs(2)
    other = _provider("Patel")
    mine = _book(_ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator)
    theirs = _book(_ready("b@example.com", other), infusion, other, at(TUESDAY, 13), coordinator)
    assert (mine.chair.name, theirs.chair.name) == ("Chair 1", "Chair 1")
    third = _provider("West", supervises=True)
    blocker = _book(_ready("c@example.com", third), infusion, third, at(TUESDAY, 13), coordinator)
    assert blocker.chair.name == "Chair 2"
    with pytest.raises(services.SlotUnavailable):
        services.reschedule_appointment(
            appointment=mine, start=at(TUESDAY, 13), actor=coordinator, now=NOW
        )
    moved = services.reschedule_appointment(
        appointment=mine, start=at(TUESDAY, 15), actor=coordinator, now=NOW
    )
    assert moved.chair.name == "Chair 1" and moved.chair_end == at(TUESDAY, 17)


def test_undoing_a_cancelled_infusion_takes_another_chair_if_its_own_was_given_away(
    provider, coordinator, infusion
):
    _only_chairs(2)
    other = _provider("Patel")
    first = _book(
        _ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator
    )
    services.cancel_appointment(appointment=first, actor=coordinator, reason="clinic", now=NOW)
    taker = _book(_ready("b@example.com", other), infusion, other, at(TUESDAY, 9), coordinator)
    assert taker.chair == first.chair
    restored = services.undo_status_change(
        appointment=first, actor=coordinator, reason="Cancelled by mistake", now=NOW
    )
    assert restored.status == Appointment.Status.BOOKED
    assert restored.chair.name == "Chair 2"


def test_undo_is_refused_when_no_chair_is_left(provider, coordinator, infusion):
    _only_chairs(1)
    other = _provider("Patel")
    first = _book(
        _ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator
    )
    services.cancel_appointment(appointment=first, actor=coordinator, reason="clinic", now=NOW)
    _book(_ready("b@example.com", other), infusion, other, at(TUESDAY, 9), coordinator)
    with pytest.raises(services.SlotTaken):
        services.undo_status_change(
            appointment=first, actor=coordinator, reason="Cancelled by mistake", now=NOW
        )


# ---------------------------------------------------------------- PostgreSQL


def _row(patient, provider, infusion, chair, start):
    return Appointment(
        patient=patient,
        provider=provider,
        appointment_type=infusion,
        kind=infusion.kind,
        location=chair.location,
        chair=chair,
        mode="in_person",
        **services._times(infusion, start),
    )


@postgres_only
def test_the_database_refuses_two_overlapping_infusions_on_one_chair(
    provider, coordinator, infusion
):
    other = _provider("Patel")
    chair_1, chair_2 = Chair.objects.order_by("name")[:2]
    a, b = _ready("a@example.com", provider), _ready("b@example.com", other)
    _row(a, provider, infusion, chair_1, at(TUESDAY, 9)).save()
    # 10:30 is inside the first one's recovery: the chair is still taken.
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _row(b, other, infusion, chair_1, at(TUESDAY, 10, 30)).save()
    assert services._refused_by(refused.value) == NO_CHAIR_DOUBLE_BOOKING
    _row(b, other, infusion, chair_2, at(TUESDAY, 10, 30)).save()  # another chair: fine
    _row(a, provider, infusion, chair_1, at(TUESDAY, 11)).save()  # after the recovery: fine


@postgres_only
def test_the_database_lets_one_supervisor_hold_infusions_on_two_chairs_but_not_one_chair_twice(
    provider, coordinator, infusion, follow_up
):
    chair_1, chair_2 = Chair.objects.order_by("name")[:2]
    other = _provider("Patel")
    a, b, c = (
        _ready(f"{n}@example.com", other, hour) for n, hour in zip("abc", (9, 11, 13), strict=True)
    )
    _row(a, provider, infusion, chair_1, at(TUESDAY, 9)).save()
    _row(b, provider, infusion, chair_2, at(TUESDAY, 9)).save()  # same supervisor: fine
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _row(c, provider, infusion, chair_1, at(TUESDAY, 9, 30)).save()
    assert services._refused_by(refused.value) == NO_CHAIR_DOUBLE_BOOKING
    # A consultation of the supervisor during the infusions: fine; a second one: refused.
    consultation = Appointment(
        patient=c,
        provider=provider,
        appointment_type=follow_up,
        kind=follow_up.kind,
        location=chair_1.location,
        mode="in_person",
        **services._times(follow_up, at(TUESDAY, 9)),
    )
    consultation.save()
    consultation.pk, consultation.patient = None, a
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        consultation.save()
    assert services._refused_by(refused.value) == NO_DOUBLE_BOOKING


def _race(n, book):
    barrier = threading.Barrier(n)
    results = []

    def attempt(i):
        try:
            barrier.wait()
            book(i)
            results.append("ok")
        except services.SlotUnavailable:
            results.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results.count("ok"), results.count("taken")


def _racers(n, coordinator):
    providers = [_provider(f"Racer{i}", supervises=True) for i in range(n)]
    patients = [_ready(f"racer{i}@example.com", providers[i]) for i in range(n)]
    return providers, patients


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_infusions_for_the_last_chair_make_exactly_one(coordinator, infusion):
    _only_chairs(1)
    providers, patients = _racers(4, coordinator)
    ok, taken = _race(
        4, lambda i: _book(patients[i], infusion, providers[i], at(TUESDAY, 9), coordinator)
    )
    assert (ok, taken) == (1, 3)
    assert Appointment.objects.active().filter(kind="infusion").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_lock_and_recheck_the_chair_constraint_alone_refuses_the_losers(
    coordinator, infusion, monkeypatch
):
    """Control: the service's lock off and every booking told Chair 1 is free ⇒ the race
    reaches the database, and the exclusion constraint makes the losers "just taken"."""
    (chair,) = _only_chairs(1)
    providers, patients = _racers(4, coordinator)
    monkeypatch.setattr(services, "_lock", lambda *a: None)
    monkeypatch.setattr(
        selectors, "place_infusion", lambda **k: av.Placement(chair.pk)
    )  # a wrong re-check
    ok, taken = _race(
        4, lambda i: _book(patients[i], infusion, providers[i], at(TUESDAY, 9), coordinator)
    )
    assert (ok, taken) == (1, 3)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_control_without_the_chair_constraint_the_re_check_still_refuses(
    provider, coordinator, infusion
):
    """Control: with the constraint dropped, the app-level re-check alone refuses a second
    infusion on the only chair (one booking after the other)."""
    _only_chairs(1)
    other = _provider("Patel")
    constraint = next(c for c in Appointment._meta.constraints if c.name == NO_CHAIR_DOUBLE_BOOKING)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        _book(_ready("a@example.com", provider), infusion, provider, at(TUESDAY, 9), coordinator)
        with pytest.raises(services.SlotUnavailable):
            _book(_ready("b@example.com", other), infusion, other, at(TUESDAY, 9), coordinator)
    finally:
        ConsultationOutcome.objects.all().delete()
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)


# ---------------------------------------------------------------- the chair pages


def _clinic():
    from consultations.models import Location

    return Location.objects.get(kind="clinic")


def test_a_chair_with_infusions_to_come_cannot_be_deactivated_or_removed(
    login, provider, coordinator, clinic_admin, infusion, time_machine
):
    time_machine.move_to(NOW, tick=False)
    patient = _ready("alice.infusion@example.com", provider)
    patient.first_name, patient.last_name = "Alice", "Anderson"
    patient.save(update_fields=["first_name", "last_name"])
    booked = _book(patient, infusion, provider, at(TUESDAY, 9), coordinator)
    client = login(clinic_admin)
    for action in ("deactivate", "remove"):
        url = reverse("schedule:chair_change", args=[booked.chair.pk, action])
        page = client.get(url).content.decode()
        assert "1 infusion is still booked on this chair" in page
        assert "Alice Anderson" in page and "Tue Jan 12, 2027" in page and "9:00 AM" in page
        assert "Deactivate the chair" not in page and "Remove the chair" not in page
        refused = client.post(url, {"reason": "Broken"})
        assert refused.status_code == 200 and "still booked" in refused.content.decode()
    booked.chair.refresh_from_db()
    assert booked.chair.active
    assert not AuditEvent.objects.filter(action__startswith="chair.").exists()
    # The refusal page showed a patient: that read is recorded.
    assert AuditEvent.objects.filter(action="list", patient_ids__contains=f",{patient.pk},")


def test_deactivate_needs_a_reason_is_recorded_and_undone_by_activating(
    login, clinic_admin, infusion, time_machine
):
    time_machine.move_to(NOW, tick=False)
    chair = Chair.objects.get(name="Chair 4")
    client = login(clinic_admin)
    url = reverse("schedule:chair_change", args=[chair.pk, "deactivate"])
    missing = client.post(url, {"reason": "  "})
    assert "Say why" in missing.content.decode()
    done = client.post(url, {"reason": "Broken recliner"})
    assert done.url == reverse("schedule:chairs", args=[chair.location_id])
    chair.refresh_from_db()
    assert not chair.active
    event = AuditEvent.objects.get(action="chair.deactivated")
    assert event.detail["reason"] == "Broken recliner" and event.actor == clinic_admin
    assert [c.id for c in selectors.chair_inputs()["chairs"]] == list(
        Chair.objects.filter(active=True).order_by("name").values_list("pk", flat=True)
    )
    client.post(reverse("schedule:chair_change", args=[chair.pk, "activate"]))
    chair.refresh_from_db()
    assert chair.active and AuditEvent.objects.filter(action="chair.activated").exists()


def test_add_rename_and_remove_a_chair(login, clinic_admin, provider, coordinator, infusion):
    client = login(clinic_admin)
    clinic = _clinic()
    url = reverse("schedule:chairs", args=[clinic.pk])
    duplicate = client.post(url, {"name": "chair 1"})
    assert "already has a chair called" in duplicate.content.decode()
    client.post(url, {"name": "Window bay"})
    bay = Chair.objects.get(name="Window bay")
    client.post(reverse("schedule:chair_rename", args=[bay.pk]), {"name": "Chair 5"})
    bay.refresh_from_db()
    assert bay.name == "Chair 5"
    assert AuditEvent.objects.get(action="chair.renamed").detail["old_name"] == "Window bay"
    client.post(reverse("schedule:chair_change", args=[bay.pk, "remove"]), {"reason": "Sold"})
    assert not Chair.objects.filter(pk=bay.pk).exists()
    assert AuditEvent.objects.get(action="chair.removed").detail["name"] == "Chair 5"


def test_a_chair_used_in_the_past_is_kept_and_deactivated_instead(
    login, clinic_admin, provider, coordinator, infusion
):
    chair = Chair.objects.get(name="Chair 1")
    long_ago = at(NOW.date() - dt.timedelta(days=800), 9)
    past = _row(_ready("a@example.com", provider), provider, infusion, chair, long_ago)
    past.status = Appointment.Status.COMPLETED
    past.save()
    # Well after it (the real clock): nothing to come on the chair, but it is in the records.
    response = login(clinic_admin).post(
        reverse("schedule:chair_change", args=[chair.pk, "remove"]), {"reason": "Old"}
    )
    assert "deactivate it instead" in response.content.decode()
    assert Chair.objects.filter(pk=chair.pk).exists()


def test_opening_hours_are_edited_per_location_and_overlaps_explained(login, clinic_admin):
    clinic = _clinic()
    url = reverse("schedule:opening_hours", args=[clinic.pk])
    client = login(clinic_admin)
    rows = list(clinic.opening_hours.order_by("weekday"))
    data = {"open-TOTAL_FORMS": "2", "open-INITIAL_FORMS": "0"}
    data.update({"open-0-weekday": "5", "open-0-start": "09:00", "open-0-end": "13:00"})
    data.update({"open-1-weekday": "5", "open-1-start": "12:00", "open-1-end": "14:00"})
    # Only the new Saturday rows are posted; the saved weekday rows are not touched.
    page = client.post(url, data)
    assert "Overlaps 09:00–13:00 on the same day" in page.content.decode()
    data["open-1-start"] = "13:00"
    assert client.post(url, data).status_code == 302
    assert clinic.opening_hours.filter(weekday=5).count() == 2
    assert clinic.opening_hours.count() == len(rows) + 2


def test_the_provider_form_marks_who_supervises_infusions(login, clinic_admin, provider):
    page = login(clinic_admin).get(reverse("schedule:provider_edit", args=[provider.pk]))
    assert "Supervises infusions" in page.content.decode()
