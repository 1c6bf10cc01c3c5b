"""Medicines as patients type them: misspellings and brand names of the flagged classes are
recognised; real words and unrelated medicines are not (intake/medications.py). Combination
products give the opioid part (intake/combinations.py)."""

import pytest

from intake.combinations import (
    find_combination,
    pair_message,
    split_strength,
    strength_problem,
)
from intake.medications import MEDICATION_CLASSES, read_as, recognise, suggestions

BENZO, LAMO, MAOI, STIM, CNS = (
    "benzodiazepines",
    "lamotrigine",
    "maois",
    "stimulants",
    "cns_depressants",
)

# (what a patient typed, the class it must be flagged as, what we tell them we read)
MISSPELLINGS_AND_BRANDS = [
    ("clonazapam", BENZO, "clonazepam"),
    ("klonipin", BENZO, "Klonopin (clonazepam)"),
    ("Klonopin 1mg", BENZO, "Klonopin (clonazepam)"),
    ("clonazepan 0.5 mg", BENZO, "clonazepam"),
    ("klonopen", BENZO, "Klonopin (clonazepam)"),
    ("zanax", BENZO, "Xanax (alprazolam)"),
    ("xanaxx", BENZO, "Xanax (alprazolam)"),
    ("xanex 0.25", BENZO, "Xanax (alprazolam)"),
    ("alprazalam", BENZO, "alprazolam"),
    ("lorazapam", BENZO, "lorazepam"),
    ("attivan", BENZO, "Ativan (lorazepam)"),
    ("diazapam 5mg", BENZO, "diazepam"),
    ("valum", BENZO, "Valium (diazepam)"),
    ("temazapam at night", BENZO, "temazepam"),
    ("lamotrigene", LAMO, "lamotrigine"),
    ("lamotragine 100 mg", LAMO, "lamotrigine"),
    ("lamictol", LAMO, "Lamictal (lamotrigine)"),
    ("Lamictal XR", LAMO, "Lamictal (lamotrigine)"),
    ("phenelzene", MAOI, "phenelzine"),
    ("nardel", MAOI, "Nardil (phenelzine)"),
    ("selegeline patch", MAOI, "selegiline"),
    ("adderal", STIM, "Adderall (amphetamine and dextroamphetamine)"),
    ("aderall xr", STIM, "Adderall (amphetamine and dextroamphetamine)"),
    ("adderol", STIM, "Adderall (amphetamine and dextroamphetamine)"),
    ("vivanse", STIM, "Vyvanse (lisdexamfetamine)"),
    ("ritilin", STIM, "Ritalin (methylphenidate)"),
    ("methylphenidat", STIM, "methylphenidate"),
    ("modafinal", STIM, "modafinil"),
    ("oxicodone", CNS, "oxycodone"),
    ("oxycodine 10mg", CNS, "oxycodone"),
    ("oxicontin", CNS, "Oxycontin (oxycodone)"),
    ("percoset 5/325", CNS, "Percocet (oxycodone and acetaminophen)"),
    ("hydrocodon", CNS, "hydrocodone"),
    ("vicoden", CNS, "Vicodin (hydrocodone and acetaminophen)"),
    ("tramadoll", CNS, "tramadol"),
    ("tramedol 50", CNS, "tramadol"),
    ("morphene", CNS, "morphine"),
    ("fentanil patch", CNS, "fentanyl"),
    ("methadon", CNS, "methadone"),
    ("suboxon film", CNS, "Suboxone (buprenorphine and naloxone)"),
    ("dilaudad", CNS, "Dilaudid (hydromorphone)"),
    ("Tylenol #3", CNS, "Tylenol #3 (codeine and acetaminophen)"),
    ("gabapentine", CNS, "gabapentin"),
    ("nuerontin", CNS, "Neurontin (gabapentin)"),
    ("lyrika", CNS, "Lyrica (pregabalin)"),
    ("flexeril", CNS, "Flexeril (cyclobenzaprine)"),
    ("cyclobenzaprin", CNS, "cyclobenzaprine"),
    ("ambian", CNS, "Ambien (zolpidem)"),
    ("zolpidam", CNS, "zolpidem"),
]


def test_the_list_is_at_least_thirty_names_long_and_covers_every_ketamine_relevant_class():
    assert len(MISSPELLINGS_AND_BRANDS) >= 30
    assert {cls for _, cls, _ in MISSPELLINGS_AND_BRANDS} == {BENZO, LAMO, MAOI, STIM, CNS}


@pytest.mark.parametrize(("typed", "cls", "shown"), MISSPELLINGS_AND_BRANDS)
def test_a_misspelled_or_brand_name_is_flagged_and_the_patient_is_told_what_we_read(
    typed, cls, shown
):
    assert cls in recognise(typed)
    assert [r.display for r in read_as(typed)] == [shown]


# Real words, everyday medicines, and names one or two letters from a flagged one.
NOT_FLAGGED = [
    "sertraline 50 mg",
    "vitamin D",
    "ibuprofen",
    "lisinopril",
    "ambient",  # Ambien
    "cocaine",  # codeine
    "caffeine",
    "azithromycin",  # erythromycin
    "azithromicin",
    "clonidine",  # clonazepam
    "trazodone",  # tramadol
    "lamisil",  # Lamictal
    "lamivudine",
    "naloxone",
    "naltrexone",
    "Narcan",
    "norvasc",  # Norco
    "hydroxychloroquine",  # hydroxyzine
    "hydrocortisone cream",  # hydrocodone
    "metformin",
    "methotrexate",
    "diltiazem",  # diazepam
    "zantac",  # Xanax
    "Zyrtec",
    "Celebrex",
    "paxil",
    "levothyroxine",
    "omeprazole",
    "atorvastatin",
    "amlodipine",
    "Tylenol",  # acetaminophen alone is not an opioid
    "tylenol extra strength",
    "Advil",
    "aspirin 81",
    "fish oil",
    "melatonin",
    "one tablet in the morning",
    "twice daily as needed",
    "prednisone",
    "duloxetine",
    "amitriptyline",
    "",
    "   ",
]


@pytest.mark.parametrize("typed", NOT_FLAGGED)
def test_an_unrelated_word_or_medicine_is_not_mistaken_for_a_flagged_class(typed):
    assert recognise(typed) == []
    assert read_as(typed) == []


def test_two_flagged_names_in_one_entry_are_both_read():
    assert [r.name for r in read_as("xanax and ambien")] == ["xanax", "ambien"]
    assert recognise("zanax, ambian") == [BENZO, CNS]


def test_an_exact_name_is_marked_exact_and_a_fuzzy_one_is_not():
    assert read_as("clonazepam")[0].exact
    assert not read_as("clonazapam")[0].exact


def test_short_names_match_only_exactly():
    # Soma (carisoprodol) is four letters: "some" and "soda" must not become Soma.
    assert recognise("Soma") == [CNS]
    assert recognise("some") == recognise("soda") == []


def test_an_edited_class_list_is_matched_fuzzily_too():
    edited = {"custom": {"label": "Custom", "why": "Test.", "names": ("fooxetine",)}}
    assert recognise("fooxetene", edited) == ["custom"]
    assert recognise("Xanax", edited) == []


def test_non_text_is_never_recognised():
    assert recognise(None) == [] and read_as(42) == []


def test_suggestions_hold_every_flagged_name_once_with_brand_capitals():
    names = suggestions()
    assert len(names) == len(set(names))
    assert {"Klonopin", "clonazepam", "Percocet", "Tylenol #3", "MS Contin"} <= set(names)
    every = {n for spec in MEDICATION_CLASSES.values() for n in spec["names"]}
    assert len(names) >= len(every)


# ------------------------------------------------------------------ combination products


@pytest.mark.parametrize(
    ("typed", "product", "opioid", "partner"),
    [
        ("Percocet 5/325", "Percocet", "oxycodone", "acetaminophen"),
        ("percoset", "Percocet", "oxycodone", "acetaminophen"),
        ("Endocet", "Endocet", "oxycodone", "acetaminophen"),
        ("oxycodone/APAP 10-325", "Percocet", "oxycodone", "acetaminophen"),
        ("oxycodone acetaminophen", "Percocet", "oxycodone", "acetaminophen"),
        ("Percodan", "Percodan", "oxycodone", "aspirin"),
        ("Norco 10/325", "Norco", "hydrocodone", "acetaminophen"),
        ("vicoden", "Vicodin", "hydrocodone", "acetaminophen"),
        ("hydrocodone-acetaminophen", "Norco", "hydrocodone", "acetaminophen"),
        ("Vicoprofen", "Vicoprofen", "hydrocodone", "ibuprofen"),
        ("Tylenol #3", "Tylenol #3", "codeine", "acetaminophen"),
        ("tylenol 4", "Tylenol #4", "codeine", "acetaminophen"),
        ("Tylenol with codeine", "Tylenol with Codeine", "codeine", "acetaminophen"),
        ("Ultracet", "Ultracet", "tramadol", "acetaminophen"),
        ("suboxone 8/2", "Suboxone", "buprenorphine", "naloxone"),
    ],
)
def test_a_combination_product_is_recognised_with_its_opioid_part(typed, product, opioid, partner):
    found = find_combination(typed)
    assert (found.product, found.opioid, found.partner) == (product, opioid, partner)


@pytest.mark.parametrize(
    "typed", ["oxycodone", "OxyContin", "Tylenol", "acetaminophen 500", "tramadol", "", None]
)
def test_a_single_medicine_is_not_a_combination(typed):
    assert find_combination(typed) is None


@pytest.mark.parametrize(
    ("typed", "pair"),
    [("5/325", (5, 325)), ("7.5 mg / 325 mg", (7.5, 325)), ("10-325", (10, 325))],
)
def test_a_label_strength_with_two_numbers_is_split(typed, pair):
    assert split_strength(typed) == pair


@pytest.mark.parametrize("typed", ["5", "10 mg", "5/", "/325", "five", "", None, "1/2/3"])
def test_a_single_or_unreadable_strength_is_not_split(typed):
    assert split_strength(typed) is None


def test_two_numbers_ask_for_the_opioid_part_by_name():
    percocet = find_combination("Percocet")
    assert pair_message(percocet, 5, 325) == (
        "Percocet has 5 mg oxycodone and 325 mg acetaminophen in each tablet. "
        "Enter only the oxycodone part: 5."
    )
    assert "first number on the label (7.5 for 7.5/325)" in pair_message(None, 7.5, 325)


def test_the_acetaminophen_amount_is_refused_as_the_opioid_strength():
    percocet, norco = find_combination("Percocet"), find_combination("Norco")
    assert strength_problem(percocet, 325).startswith("325 mg is the acetaminophen in Percocet")
    assert strength_problem(norco, 300).startswith("300 mg is the acetaminophen in Norco")
    for strength in (2.5, 5, 7.5, 10):
        assert strength_problem(percocet, strength) == ""


def test_tylenol_number_three_is_thirty_mg_of_codeine_not_three():
    tylenol3 = find_combination("Tylenol #3")
    assert strength_problem(tylenol3, 3) == (
        "Tylenol #3 has 30 mg codeine in each tablet: enter 30."
    )
    assert strength_problem(tylenol3, 30) == ""
    assert strength_problem(tylenol3, 300).startswith("300 mg is the acetaminophen")
