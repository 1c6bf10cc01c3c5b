"""The questionnaire's scored instruments: PEG, PHQ-9 (and item 9), GAD-7, PC-PTSD-5,
DAST-10, ORT-OUD, AUDIT-C and the ACR 2016 Symptom Severity Scale."""

from __future__ import annotations

import math
from dataclasses import dataclass

# ------------------------------------------------------------------ banded instruments


@dataclass(frozen=True)
class Banded:
    """An instrument scored as the sum of its items and read against published bands."""

    label: str
    items: tuple[str, ...]  # in form order
    item_max: int  # points per item; 1 for yes/no items
    bands: tuple[tuple[float, float, str], ...]  # inclusive (low, high, name)
    positive_at: int
    detail: str  # "{span}" becomes the patient's band, e.g. "10–14 moderate"
    yes_no: bool = False  # items answered yes/no: "yes" scores the point …
    reversed: frozenset[str] = frozenset()  # … except on these items, where "no" does

    @property
    def max_value(self) -> int:
        return len(self.items) * self.item_max


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}_{n}" for n in range(1, count + 1))


BANDED: dict[str, Banded] = {
    # PHQ-9 (Kroenke 2001): sum 0–27; positive at ≥10 (moderate or worse).
    "PHQ9": Banded(
        "PHQ-9",
        _numbered("phq9", 9),
        3,
        (
            (0, 4, "minimal"),
            (5, 9, "mild"),
            (10, 14, "moderate"),
            (15, 19, "moderately severe"),
            (20, 27, "severe"),
        ),
        positive_at=10,
        detail="sum 0–27; {span}; ≥10 prompts clinical evaluation",
    ),
    # GAD-7 (Spitzer 2006): sum 0–21; positive at ≥10.
    "GAD7": Banded(
        "GAD-7",
        _numbered("gad7", 7),
        3,
        ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
        positive_at=10,
        detail="sum 0–21; {span}; ≥10 prompts evaluation",
    ),
    # DAST-10 (Skinner 1982): 1 per yes; positive at ≥3 (moderate or above). Item 3 ("Are
    # you always able to stop using drugs when you want to?") is the one where "no" scores.
    "DAST10": Banded(
        "DAST-10",
        _numbered("dast", 10),
        1,
        (
            (0, 0, "none"),
            (1, 2, "low"),
            (3, 5, "moderate"),
            (6, 8, "substantial"),
            (9, 10, "severe"),
        ),
        positive_at=3,
        detail="0–10, item 3 reverse-scored; {span}",
        yes_no=True,
        reversed=frozenset({"dast_3"}),
    ),
    # ORT-OUD (Cheatle 2019) [verify]: 1 per yes, 0–9; positive at moderate or high (≥3).
    "ORT_OUD": Banded(
        "ORT-OUD",
        _numbered("ort", 9),
        1,
        ((0, 2, "low"), (3, 4, "moderate"), (5, math.inf, "high")),
        positive_at=3,
        detail="1 per yes, 0–9, not sex-weighted; {span} risk",
        yes_no=True,
    ),
}

# --------------------------------------------------------------------------- items

_SSS_SEVERITY = ("sss_fatigue", "sss_waking_unrefreshed", "sss_cognitive")
_SSS_YES_NO = ("sss_headache", "sss_lower_abdominal", "sss_depression")

# The scored items of each instrument, in form order. intake.questionnaire has the wording;
# tests check that every key here exists there with matching choice scores.
INSTRUMENT_ITEMS: dict[str, tuple[str, ...]] = {
    "PEG": ("peg_pain", "peg_enjoyment", "peg_activity"),
    "PHQ9": BANDED["PHQ9"].items,
    "GAD7": BANDED["GAD7"].items,
    "PCPTSD5": _numbered("pcptsd", 5),
    "DAST10": BANDED["DAST10"].items,
    "ORT_OUD": BANDED["ORT_OUD"].items,
    "AUDITC": _numbered("auditc", 3),
    "SSS": _SSS_SEVERITY + _SSS_YES_NO,
}

_YES_NO_ITEMS = frozenset(
    INSTRUMENT_ITEMS["PCPTSD5"]
    + _SSS_YES_NO
    + tuple(key for b in BANDED.values() if b.yes_no for key in b.items)
)
_REVERSED = frozenset().union(*(b.reversed for b in BANDED.values()))
_ITEM_MAX: dict[str, int] = {
    **dict.fromkeys(INSTRUMENT_ITEMS["PEG"], 10),
    **{key: b.item_max for b in BANDED.values() if not b.yes_no for key in b.items},
    **dict.fromkeys(INSTRUMENT_ITEMS["AUDITC"], 4),
    **dict.fromkeys(_SSS_SEVERITY, 3),
}


@dataclass(frozen=True)
class Score:
    instrument: str
    value: float | int | None  # None when incomplete
    band: str  # "" when incomplete
    label: str
    max_value: int | float
    complete: bool
    positive: bool = False
    detail: str = ""


def _as_int(value: object) -> int | None:
    """An integer from a JSON answer ("2", 2, 2.0), else None. Booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    # isascii: "²".isdigit() is True but int("²") fails.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def item_points(key: str, value: object) -> int | None:
    """Points for one instrument item's answer, or None if unanswered or not valid."""
    if key in _YES_NO_ITEMS:
        if value not in ("yes", "no"):
            return None
        scores_yes = key not in _REVERSED
        return int((value == "yes") == scores_yes)
    maximum = _ITEM_MAX.get(key)
    points = _as_int(value)
    if maximum is None or points is None or not 0 <= points <= maximum:
        return None
    return points


def _sum(answers: dict, keys: tuple[str, ...]) -> int | None:
    points = [item_points(key, answers.get(key)) for key in keys]
    return None if None in points else sum(points)


def incomplete(instrument: str, label: str, max_value: float, detail: str = "") -> Score:
    return Score(instrument, None, "", label, max_value, complete=False, detail=detail)


def _band(total: float, bands: tuple[tuple[float, float, str], ...]) -> tuple[str, str]:
    """(band name, "lo–hi name") for the band holding total; bands are inclusive ranges."""
    for low, high, name in bands:
        if low <= total <= high:
            upper = "" if math.isinf(high) else f"{high:g}"
            # A one-number band reads "0 none", not "0–0 none".
            span = f"≥{low:g}" if not upper else f"{low:g}" if low == high else f"{low:g}–{upper}"
            return name, f"{span} {name}"
    raise ValueError(f"{total} is outside every band")


# ------------------------------------------------------------------- instruments


def score_peg(answers: dict) -> Score:
    """PEG (Krebs 2009): mean of three 0–10 items, to 1 decimal."""
    total = _sum(answers, INSTRUMENT_ITEMS["PEG"])
    if total is None:
        return incomplete("PEG", "PEG", 10)
    # PEG has no severity bands; what matters is change from baseline (CLINICAL.md §8).
    return Score(
        "PEG",
        round(total / 3, 1),
        "track change",
        "PEG",
        10,
        complete=True,
        detail="mean of 3 items, 0–10; no severity bands — a ≥30 % drop from baseline "
        "is clinically meaningful, ≥50 % substantial",
    )


def score_banded(code: str, answers: dict) -> Score:
    """A BANDED instrument: sum of its items, its band, positive at its cut-point."""
    instrument = BANDED[code]
    total = _sum(answers, instrument.items)
    if total is None:
        return incomplete(code, instrument.label, instrument.max_value)
    band, span = _band(total, instrument.bands)
    return Score(
        code,
        total,
        band,
        instrument.label,
        instrument.max_value,
        complete=True,
        positive=total >= instrument.positive_at,
        detail=instrument.detail.format(span=span),
    )


def score_phq9(answers: dict) -> Score:
    return score_banded("PHQ9", answers)


def phq9_item9_positive(answers: dict) -> bool:
    """True when item 9 (better off dead / hurting yourself) is answered above 0."""
    points = item_points("phq9_9", answers.get("phq9_9"))
    return bool(points)


def score_phq9_item9(answers: dict) -> Score:
    """PHQ-9 item 9 on its own, so staff see it even when the rest is incomplete."""
    points = item_points("phq9_9", answers.get("phq9_9"))
    label = "PHQ-9 item 9"
    if points is None:
        return incomplete("PHQ9_ITEM9", label, 3)
    positive = points > 0
    detail = "thoughts that you would be better off dead or of hurting yourself; any answer "
    detail += "above 0 is positive"
    if positive:
        detail += " — show crisis resources (988; 911 in an emergency) and alert clinical staff"
    return Score(
        "PHQ9_ITEM9",
        points,
        "positive" if positive else "negative",
        label,
        3,
        complete=True,
        positive=positive,
        detail=detail,
    )


def score_gad7(answers: dict) -> Score:
    return score_banded("GAD7", answers)


def score_pcptsd5(answers: dict, cutoff: int = 3) -> Score:
    """PC-PTSD-5 (Prins 2016): count of yes 0–5, 0 without trauma exposure."""
    if cutoff not in (3, 4):
        raise ValueError("PC-PTSD-5 cut-point must be 3 or 4")
    label = "PC-PTSD-5"
    exposure = answers.get("pcptsd_exposure")
    if exposure == "no":
        return Score(
            "PCPTSD5",
            0,
            "negative",
            label,
            5,
            complete=True,
            detail="no trauma exposure reported, so the five items are not asked; score 0",
        )
    total = _sum(answers, INSTRUMENT_ITEMS["PCPTSD5"]) if exposure == "yes" else None
    if total is None:
        return incomplete("PCPTSD5", label, 5)
    positive = total >= cutoff
    return Score(
        "PCPTSD5",
        total,
        "positive" if positive else "negative",
        label,
        5,
        complete=True,
        positive=positive,
        detail=f"count of yes 0–5; positive at ≥{cutoff} (clinic cut-point)",
    )


# The intake's gate before DAST-10 (intake/questionnaire/health.py): a patient who answers
# "no" to any drug use in the past 12 months is not asked the ten items and scores 0.
DAST_GATE = "drug_use_past_year"


def score_dast10(answers: dict) -> Score:
    if answers.get(DAST_GATE) == "no":
        instrument = BANDED["DAST10"]
        return Score(
            "DAST10",
            0,
            "none",
            instrument.label,
            instrument.max_value,
            complete=True,
            positive=False,
            detail="0–10; items not asked: no drug use in the past 12 months",
        )
    return score_banded("DAST10", answers)


def score_ort_oud(answers: dict) -> Score:
    return score_banded("ORT_OUD", answers)


def score_auditc(answers: dict, sex_at_birth: str | None) -> Score:
    """AUDIT-C: sum 0–12; positive at ≥4 for men, ≥3 for women [verify].

    Anyone not recorded as male (female, intersex, unknown) gets the cut-point of 3: the
    more sensitive one, so a possible problem is not missed.
    """
    label = "AUDIT-C"
    cut, who = (4, "male") if sex_at_birth == "male" else (3, "female/other")
    first = item_points("auditc_1", answers.get("auditc_1"))
    if first == 0:
        # "Never" drinks: items 2 and 3 are skipped on the form and score 0.
        total: int | None = 0
    else:
        total = _sum(answers, INSTRUMENT_ITEMS["AUDITC"])
    if total is None:
        return incomplete("AUDITC", label, 12)
    positive = total >= cut
    return Score(
        "AUDITC",
        total,
        "positive" if positive else "negative",
        label,
        12,
        complete=True,
        positive=positive,
        detail=f"sum 0–12; positive at ≥{cut} ({who} cut-point)",
    )


def score_sss(answers: dict) -> Score:
    """Symptom Severity Scale (ACR 2016): 3 items 0–3 plus 3 items 0–1, total 0–12."""
    total = _sum(answers, INSTRUMENT_ITEMS["SSS"])
    if total is None:
        return incomplete("SSS", "SSS", 12)
    band = "≥9" if total >= 9 else "5–8" if total >= 5 else "0–4"
    return Score(
        "SSS",
        total,
        band,
        "SSS",
        12,
        complete=True,
        detail="fatigue, waking unrefreshed, cognitive symptoms 0–3 each; headache, "
        "lower-abdominal pain, depression in the past 6 months 0–1 each",
    )
