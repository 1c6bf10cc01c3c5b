"""The care step (insurance, pharmacy, doctors), the body map, the CRPS limbs, suspected
fibromyalgia and treatment use: shown where they belong and to whom they belong."""

from django.urls import reverse

from intake import demo
from intake.display import answered_sections, format_answer
from intake.questionnaire import QUESTION_BY_KEY as Q
from intake.questionnaire import SECTION_BY_KEY
from intake.screening import EVIDENCE_GRADES
from intake.steps import STEP_BY_KEY

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
