"""Pure: combination products, one tablet holding an opioid and another medicine.

Percocet is oxycodone + acetaminophen, and its label says "5/325": MME (intake/scoring/mme.py)
counts the oxycodone part only, so a patient who types 325, or "5/325", or picks the wrong
opioid would make the total wrong. This module recognises the product (exactly or as a
patient spells it, through intake.medications.read_as), says which opioid it holds, and
reads or questions the strength so the number recorded is the opioid's milligrams.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.medications import normalise, read_as


@dataclass(frozen=True)
class Combination:
    product: str  # as the patient knows it: "Percocet"
    names: tuple[str, ...]  # lowercase names that mean this product (brands, generics)
    opioid: str  # a key of OPIOID_CHOICES / MME_FACTORS
    opioid_label: str  # "oxycodone"
    partner: str  # "acetaminophen"
    strengths: tuple[tuple[float, float], ...]  # (opioid mg, partner mg) as sold
    # Tylenol #3 carries no numbers on its name: the number after "#" fixes the codeine.
    fixed_opioid_mg: float | None = None

    @property
    def description(self) -> str:
        return f"{self.product} ({self.opioid_label} + {self.partner})"

    @property
    def opioid_strengths(self) -> tuple[float, ...]:
        return tuple(sorted({o for o, _ in self.strengths}))

    @property
    def partner_strengths(self) -> tuple[float, ...]:
        return tuple(sorted({p for _, p in self.strengths}))


_APAP = "acetaminophen"
_OXY_APAP = ((2.5, 325), (5, 325), (7.5, 325), (10, 325))
_HYDRO_APAP = ((2.5, 325), (5, 325), (7.5, 325), (10, 325), (5, 300), (7.5, 300), (10, 300))

COMBINATIONS: tuple[Combination, ...] = (
    Combination("Percocet", ("percocet",), "oxycodone", "oxycodone", _APAP, _OXY_APAP),
    Combination("Endocet", ("endocet",), "oxycodone", "oxycodone", _APAP, _OXY_APAP),
    Combination("Roxicet", ("roxicet",), "oxycodone", "oxycodone", _APAP, _OXY_APAP),
    Combination("Percodan", ("percodan",), "oxycodone", "oxycodone", "aspirin", ((4.8355, 325),)),
    Combination("Norco", ("norco",), "hydrocodone", "hydrocodone", _APAP, _HYDRO_APAP),
    Combination("Vicodin", ("vicodin",), "hydrocodone", "hydrocodone", _APAP, _HYDRO_APAP),
    Combination("Lortab", ("lortab",), "hydrocodone", "hydrocodone", _APAP, _HYDRO_APAP),
    Combination("Lorcet", ("lorcet",), "hydrocodone", "hydrocodone", _APAP, _HYDRO_APAP),
    Combination(
        "Vicoprofen", ("vicoprofen",), "hydrocodone", "hydrocodone", "ibuprofen", ((7.5, 200),)
    ),
    Combination(
        "Tylenol #3",
        ("tylenol 3",),
        "codeine",
        "codeine",
        _APAP,
        ((30, 300),),
        fixed_opioid_mg=30,
    ),
    Combination(
        "Tylenol #4",
        ("tylenol 4",),
        "codeine",
        "codeine",
        _APAP,
        ((60, 300),),
        fixed_opioid_mg=60,
    ),
    Combination(
        "Tylenol with Codeine",
        ("tylenol with codeine",),
        "codeine",
        "codeine",
        _APAP,
        ((15, 300), (30, 300), (60, 300)),
    ),
    Combination("Ultracet", ("ultracet",), "tramadol", "tramadol", _APAP, ((37.5, 325),)),
    Combination(
        "Suboxone",
        ("suboxone",),
        "buprenorphine",
        "buprenorphine",
        "naloxone",
        ((2, 0.5), (4, 1), (8, 2), (12, 3)),
    ),
    Combination(
        "Zubsolv",
        ("zubsolv",),
        "buprenorphine",
        "buprenorphine",
        "naloxone",
        ((0.7, 0.18), (1.4, 0.36), (2.9, 0.71), (5.7, 1.4), (8.6, 2.1), (11.4, 2.9)),
    ),
)

# Generic names written together ("oxycodone/APAP", "hydrocodone-acetaminophen").
_PARTNER_WORDS = {
    "acetaminophen": _APAP,
    "apap": _APAP,
    "paracetamol": _APAP,
    "tylenol": _APAP,
    "ibuprofen": "ibuprofen",
    "aspirin": "aspirin",
    "asa": "aspirin",
    "naloxone": "naloxone",
}
_GENERIC_PAIRS = {
    (c.opioid_label, c.partner): c
    for c in reversed(COMBINATIONS)  # the first product of each pair wins
}
_BY_NAME = {name: c for c in COMBINATIONS for name in c.names}


def find_combination(text: object) -> Combination | None:
    """The combination product named in text ("Percoset 10/325", "Tylenol #3",
    "oxycodone/APAP"), else None."""
    if not isinstance(text, str):
        return None
    for reading in read_as(text):
        if reading.name in _BY_NAME:
            return _BY_NAME[reading.name]
    words = normalise(text).split()
    partners = {_PARTNER_WORDS[w] for w in words if w in _PARTNER_WORDS}
    opioids = {r.name for r in read_as(text)}
    for (opioid, partner), combination in _GENERIC_PAIRS.items():
        if opioid in opioids and partner in partners:
            return combination
    return None


_PAIR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:mg)?\s*[/\-]\s*(\d+(?:\.\d+)?)\s*(?:mg)?\s*$", re.I)


def split_strength(text: object) -> tuple[float, float] | None:
    """(first, second) from a label's "5/325" or "7.5 mg / 325 mg", else None."""
    if not isinstance(text, str):
        return None
    match = _PAIR.match(text)
    return (float(match[1]), float(match[2])) if match else None


def _mg(value: float) -> str:
    return f"{value:g}"


def pair_message(combination: Combination | None, first: float, second: float) -> str:
    """What to say to a patient who typed both numbers ("5/325") as the strength."""
    if combination is None:
        return (
            f"Enter one number: the opioid part, which is the first number on the label "
            f"({_mg(first)} for {_mg(first)}/{_mg(second)})."
        )
    return (
        f"{combination.product} has {_mg(first)} mg {combination.opioid_label} and "
        f"{_mg(second)} mg {combination.partner} in each tablet. Enter only the "
        f"{combination.opioid_label} part: {_mg(first)}."
    )


def strength_problem(combination: Combination, strength: float) -> str:
    """What is wrong with strength as the opioid part of combination, or "" when it may be
    right. 325 for Percocet is the acetaminophen; 3 for Tylenol #3 is its number, not mg."""
    examples = ", ".join(_mg(o) for o in combination.opioid_strengths)
    if strength in combination.partner_strengths and strength not in combination.opioid_strengths:
        return (
            f"{_mg(strength)} mg is the {combination.partner} in {combination.product}. Enter "
            f"the {combination.opioid_label} part, the first number on the label (usually "
            f"{examples})."
        )
    fixed = combination.fixed_opioid_mg
    if fixed is not None and strength != fixed and f"#{_mg(strength)}" in combination.product:
        return (
            f"{combination.product} has {_mg(fixed)} mg {combination.opioid_label} in each "
            f"tablet: enter {_mg(fixed)}."
        )
    return ""


def opioid_mismatch_message(combination: Combination) -> str:
    return (
        f"{combination.description} contains {combination.opioid_label}: "
        f"please choose {combination.opioid_label.capitalize()} here."
    )
