"""What changed between two submissions: the pure diff (labels, list rows), the snapshot
kept at each submission, and who sees what in the queue and on the review page."""

import pytest
from django.urls import reverse

from intake import demo, review, services
from intake.changes import NOT_LISTED, REMOVED, AnswerChange, answer_changes
from intake.display import NOT_ANSWERED
from intake.models import Intake, IntakeSubmission

OXY = {"drug": "oxycodone", "strength": 10.0, "doses_per_day": 4.0, "prescriber": "Dr. Rivera"}
BASE = {**demo.BASE, "opioids": [OXY]}


def _with(**answers):
    return {**BASE, **answers}


# ------------------------------------------------------------------ the pure diff


def test_the_same_answers_have_no_changes():
    assert answer_changes(BASE, dict(BASE)) == []


def test_a_lower_dose_reads_as_the_medicine_and_its_old_and_new_strength():
    after = _with(opioids=[{**OXY, "strength": 5.0}])
    assert answer_changes(BASE, after) == [
        AnswerChange(
            "Opioid medicines", "Your opioid medicines", "Oxycodone, strength", "10 mg", "5 mg"
        )
    ]


def test_a_choice_reads_as_its_labels_not_its_codes():
    (change,) = answer_changes(BASE, _with(pregnancy_status="pregnant"))
    assert change.question.startswith("Are you pregnant")
    assert (change.before, change.after) == ("No, not pregnant or breastfeeding", "I am pregnant")


def test_a_new_medicine_row_is_listed_as_added_and_a_dropped_one_as_removed():
    after = _with(other_medications=[{"name": "Phenelzine", "dose": "15 mg"}])
    changes = answer_changes(BASE, after)
    assert (
        AnswerChange(
            "Other medicines and allergies",
            "Other medicines you take",
            "Phenelzine",
            NOT_LISTED,
            "Medicine: Phenelzine, Dose: 15 mg",
        )
        in changes
    )
    removed = next(c for c in changes if c.item == "Lorazepam")
    assert removed.after == REMOVED and "0.5 mg" in removed.before


def test_rows_are_matched_by_medicine_not_position_and_spelling_case_does_not_count():
    morphine = {"drug": "morphine", "strength": 15.0, "doses_per_day": 2.0}
    before = _with(opioids=[OXY, morphine], other_medications=[{"name": "Lorazepam"}])
    after = _with(
        opioids=[{**morphine, "doses_per_day": 3.0}, OXY], other_medications=[{"name": "lorazepam"}]
    )
    (change,) = answer_changes(before, after)
    assert (change.item, change.before, change.after) == ("Morphine, doses per day", "2", "3")


def test_a_patch_strength_is_shown_in_mcg_per_hour():
    patch = {"drug": "fentanyl_patch", "strength": 25.0}
    before, after = _with(opioids=[patch]), _with(opioids=[{**patch, "strength": 12.0}])
    (change,) = answer_changes(before, after)
    assert (change.before, change.after) == ("25 mcg/h", "12 mcg/h")


def test_an_answer_behind_a_gate_that_closed_reads_as_no_longer_given():
    changes = answer_changes(BASE, _with(takes_opioids="no"))
    rows = [c for c in changes if c.question == "Your opioid medicines"]
    assert rows and rows[0].after == REMOVED
    gate = next(c for c in changes if c.question.startswith("Do you take any opioid"))
    assert (gate.before, gate.after) == ("Yes", "No")
    assert all(c.before != NOT_ANSWERED or c.after != NOT_ANSWERED for c in changes)


# ------------------------------------------------------------------ snapshots


def _resubmit(intake, clinician, capture, **answers):
    with capture(execute=True):
        review.request_more_info(
            intake=intake, actor=clinician, sections=["opioids"], message="Dose please"
        )
    intake.refresh_from_db()
    services.save_step(intake=intake, step="opioids", raw={}, complete=True, valid_answers=answers)
    intake.refresh_from_db()
    return services.submit_intake(intake=intake)


@pytest.fixture
def submitted(patient):
    return demo.seed_intake(patient=patient, answers=BASE, submit=True)


@pytest.fixture
def resubmitted(submitted, clinician, django_capture_on_commit_callbacks):
    return _resubmit(
        submitted,
        clinician,
        django_capture_on_commit_callbacks,
        opioids=[{**OXY, "strength": 5.0}],
    )


def test_each_submission_keeps_a_snapshot_and_only_a_resubmission_is_marked(submitted):
    assert submitted.resubmitted_at is None
    (first,) = IntakeSubmission.objects.filter(intake=submitted)
    assert first.number == 1 and first.answers["opioids"][0]["strength"] == 10.0


def test_a_resubmission_is_marked_and_compared_with_the_previous_snapshot(resubmitted):
    assert resubmitted.resubmitted_at is not None
    numbers = list(resubmitted.submissions.values_list("number", flat=True))
    assert numbers == [1, 2]
    before, after = (s.answers for s in resubmitted.submissions.all())
    assert [c.item for c in answer_changes(before, after)] == ["Oxycodone, strength"]


# ------------------------------------------------------------------ the pages


def test_clinician_sees_what_changed_on_the_review_page(login, clinician, resubmitted):
    html = login(clinician).get(reverse("staff:intake", args=[resubmitted.pk])).content.decode()
    assert "Resubmitted" in html and "What changed since the previous submission" in html
    assert "Oxycodone, strength" in html
    assert "<del>10 mg</del>" in html and "<ins>5 mg</ins>" in html


@pytest.mark.parametrize("role", ["coordinator", "clinic_admin"])
def test_front_desk_sees_that_it_was_resubmitted_but_not_what_changed(
    login, people, resubmitted, role
):
    html = login(people[role]).get(reverse("staff:intake", args=[resubmitted.pk])).content.decode()
    assert "Resubmitted" in html
    assert "Oxycodone" not in html and "5 mg" not in html


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_the_queue_marks_a_resubmitted_intake(login, people, resubmitted, other_patient, role):
    demo.seed_intake(patient=other_patient, answers=demo.NO_OPIOIDS_METRIC, submit=True)
    html = login(people[role]).get(reverse("staff:dashboard")).content.decode()
    assert html.count('class="badge text-bg-info resubmitted"') == 1


def test_a_resubmission_without_an_earlier_snapshot_says_it_cannot_list_changes(
    login, clinician, resubmitted
):
    IntakeSubmission.objects.filter(intake=resubmitted, number=1).delete()
    html = login(clinician).get(reverse("staff:intake", args=[resubmitted.pk])).content.decode()
    assert "Resubmitted" in html and "cannot be listed" in html


def test_resubmitting_unchanged_answers_says_nothing_changed(
    login, clinician, submitted, django_capture_on_commit_callbacks
):
    same = _resubmit(submitted, clinician, django_capture_on_commit_callbacks, opioids=[OXY])
    assert Intake.objects.get(pk=same.pk).resubmitted_at is not None
    html = login(clinician).get(reverse("staff:intake", args=[same.pk])).content.decode()
    assert "No answer changed" in html
