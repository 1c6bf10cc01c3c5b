"""The care step (insurance, pharmacy, doctors), the body map, the CRPS limbs, suspected
fibromyalgia and treatment use: shown where they belong and to whom they belong."""

import datetime as dt

from django.urls import reverse

from intake import demo
from intake.display import answered_sections, format_answer
from intake.questionnaire import QUESTION_BY_KEY as Q
from intake.questionnaire import SECTION_BY_KEY
from intake.questionnaire.derived import derive_answers
from intake.questionnaire.treatments import PAST_TREATMENTS
from intake.screening import EVIDENCE_GRADES
from intake.steps import STEP_BY_KEY
from intake.summary import build_summary

TODAY = dt.date(2026, 12, 1)
CARE = {
    **demo.BASE,
    "payment": "insurance",
    "insurance_name": "Aetna",
    "insurance_member_id": "W123456789",
    "insurance_subscriber": "spouse",
    "insurance_subscriber_name": "Sam Anderson",
    "pharmacy_name": "CVS on Main Street",
    "referring_physician_name": "Dr. Lee",
    "pcp_source": "same",
    "pcp_name": "stale answer",
}


def _care_items(answers):
    (block,) = answered_sections(answers, ("care",))
    return {item.question.key: item.text for item in block.items}


def test_the_care_step_comes_before_consent():
    assert STEP_BY_KEY["care"].number == STEP_BY_KEY["consent"].number - 1
    assert SECTION_BY_KEY["care"].title == "Insurance, pharmacy and doctors"


def test_insurance_details_show_only_for_insurance_and_subscriber_only_for_someone_else():
    items = _care_items(CARE)
    assert items["insurance_member_id"] == "W123456789"
    assert items["insurance_subscriber_name"] == "Sam Anderson"
    self_pay = _care_items({**CARE, "payment": "self_pay"})
    assert "insurance_member_id" not in self_pay and "insurance_subscriber" not in self_pay
    mine = _care_items({**CARE, "insurance_subscriber": "self"})
    assert "insurance_subscriber_name" not in mine


def test_pcp_same_as_referring_hides_the_pcp_fields_and_older_intakes_still_show_them():
    assert "pcp_name" not in _care_items(CARE)
    older = {k: v for k, v in CARE.items() if k != "pcp_source"}
    assert _care_items(older)["pcp_name"] == "stale answer"


def test_every_row_of_other_medicines_asks_who_prescribes_it():
    row = {f.key for f in Q["other_medications"].fields}
    assert "prescribed_by" in row
    assert "prescriber" in {f.key for f in Q["opioids"].fields}


def test_crps_limbs_offer_arms_legs_hands_feet_and_more_than_one():
    labels = {c.value: c.label for c in Q["crps_limbs"].choices}
    assert {"right_arm", "left_arm", "right_leg", "left_leg", "spread", "other"} == set(labels)
    assert "foot" in labels["right_leg"] and "hand" in labels["left_arm"]
    assert Q["crps_limbs"].type == "multi"


def test_suspected_fibromyalgia_asks_the_acr_symptom_questions_and_has_a_grade():
    answers = {"diagnoses": ["fibromyalgia_suspected"]}
    assert Q["sss_fatigue"].is_shown(answers)
    assert EVIDENCE_GRADES["fibromyalgia_suspected"] == EVIDENCE_GRADES["fibromyalgia"]


def test_crps_treatments_are_asked_only_with_a_crps_diagnosis():
    for code in ("sympathetic_blocks", "bisphosphonates", "mirror_therapy", "drg_stimulation"):
        assert Q[f"tx_{code}"].is_shown({"diagnoses": ["crps_1"]})
        assert not Q[f"tx_{code}"].is_shown({"diagnoses": ["fibromyalgia"]})


def test_treatment_answers_say_whether_still_used_and_older_answers_still_read():
    q = Q["tx_topicals"]
    values = {c.value for c in q.choices}
    assert {"helps_using", "helped_stopped", "trial_only"} <= values
    assert format_answer(q, "helps_using") == "It helps, and I still use it"
    assert format_answer(q, "helped") == "Tried: it helped (still using not asked)"
    assert format_answer(q, "did_not_help") == "It did not help"


def test_body_map_answers_read_as_places(db):
    assert format_answer(Q["pain_regions"], ["foot_right", "neck"]) == "Foot or toes, right, Neck"


def test_coordinator_sees_insurance_and_pharmacy_but_no_clinical_answers(
    login, coordinator, patient
):
    intake = demo.seed_intake(patient=patient, answers=CARE, submit=True)
    html = login(coordinator).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "Aetna" in html and "W123456789" in html and "CVS on Main Street" in html
    for clinical in ("Burning pain", "Foot or toes", "Dr. Lee", "Oxycodone"):
        assert clinical not in html, clinical


def test_clinician_review_and_summary_show_the_new_answers(login, clinician, patient):
    intake = demo.seed_intake(patient=patient, answers=CARE, submit=True)
    client = login(clinician)
    html = client.get(reverse("staff:intake", args=[intake.pk])).content.decode()
    for text in ("Foot or toes, right", "Aetna", "CVS on Main Street", "Dr. Lee", "Mirror therapy"):
        assert text in html, text


# ------------------------------------------------------- treatments tried, as a table


def test_the_treatments_checklist_writes_each_old_answer_back():
    answers = derive_answers(
        {
            "diagnoses": ["crps_1"],
            "treatments_tried": ["nsaids", "physical_therapy"],
            "tx_nsaids_outcome": "did_not_help",
            "tx_physical_therapy_outcome": "trial_only",
            "crps_treatments_tried": ["none"],
        },
        today=TODAY,
    )
    assert answers["tx_nsaids"] == "did_not_help"
    assert answers["tx_physical_therapy"] == "trial_only"
    assert answers["tx_acupuncture"] == answers["tx_mirror_therapy"] == "not_tried"
    # Ticked but not yet said how it went: no old answer rather than a wrong one.
    pending = derive_answers({"treatments_tried": ["surgery"]}, today=TODAY)
    assert "tx_surgery" not in pending and pending["tx_nsaids"] == "not_tried"


def test_how_it_went_is_asked_only_for_treatments_ticked():
    answers = {"diagnoses": ["crps_1"], "treatments_tried": ["topicals"]}
    assert Q["tx_topicals_outcome"].is_shown(answers)
    assert not Q["tx_nsaids_outcome"].is_shown(answers)
    assert not Q["tx_mirror_therapy_outcome"].is_shown(
        {"diagnoses": ["fibromyalgia"], "crps_treatments_tried": ["mirror_therapy"]}
    )
    assert [c.value for c in Q["tx_topicals_outcome"].choices] == [
        c.value for c in Q["tx_topicals"].choices if c.value != "not_tried"
    ]


def test_a_draft_from_before_the_checklist_finds_it_filled_from_its_old_answers():
    old = {f"tx_{code}": "not_tried" for code, _ in PAST_TREATMENTS}
    old |= {"tx_nsaids": "helps_using", "tx_surgery": "helped"}  # "helped": no longer offered
    answers = derive_answers(old, today=TODAY)
    assert answers["treatments_tried"] == ["nsaids", "surgery"]
    assert answers["tx_nsaids_outcome"] == "helps_using"
    assert "tx_surgery_outcome" not in answers  # asked again
    nothing = derive_answers(dict.fromkeys(old, "not_tried"), today=TODAY)
    assert nothing["treatments_tried"] == ["none"]


def test_an_intake_from_before_the_shorter_steps_still_shows_its_old_answers_to_staff():
    old = {
        **{k: v for k, v in demo.BASE.items() if not k.endswith("treatments_tried")},
        "pain_now": 7,
        "pain_least": 5,
        "pain_average": 6,
        "effect_work": "severely",
    }
    old = {k: v for k, v in old.items() if not k.endswith("_outcome")}
    shown = {
        item.question.key: item.text
        for block in answered_sections(old, ("pain", "treatments"))
        for item in block.items
    }
    assert shown["pain_now"] == "7 / 10" and shown["pain_least"] == "5 / 10"
    assert shown["effect_work"] == "Severely"
    assert shown["tx_nsaids"] == "It did not help"
    assert shown["tx_tcas"] == "Not tried"
    # A new intake shows the checklist and the table, not the old keys written back.
    new = {
        item.question.key
        for block in answered_sections(demo.BASE, ("treatments",))
        for item in block.items
    }
    assert {"treatments_tried", "tx_nsaids_outcome"} <= new
    assert "tx_nsaids" not in new and "tx_tcas" not in new


def test_clinician_review_of_an_old_intake_lists_the_answers_no_longer_asked(
    login, clinician, patient
):
    intake = demo.seed_intake(patient=patient, answers=CARE, submit=True)
    answers = {k: v for k, v in intake.answers.items() if "treatments_tried" not in k}
    intake.answers = {**answers, "pain_now": 8, "effect_daily": "moderately"}
    intake.save(update_fields=["answers"])
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    for text in ("How bad is your pain right now?", "everyday tasks", "Acupuncture"):
        assert text in html, text


def test_the_summarys_key_facts_give_average_pain_from_peg_and_older_intakes_their_own(
    patient, clinician
):
    intake = demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)
    intake.refresh_from_db()
    facts = [item.question.key for item in build_summary(intake=intake, user=clinician).key_facts]
    assert {"peg_pain", "pain_worst"} <= set(facts) and "pain_average" not in facts
    intake.answers = {**intake.answers, "pain_average": 6}  # answered before 2026.12.5
    facts = [item.question.key for item in build_summary(intake=intake, user=clinician).key_facts]
    assert "pain_average" in facts
