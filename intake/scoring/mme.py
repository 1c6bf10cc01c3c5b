"""Daily opioid dose as morphine milligram equivalents (CDC 2022): a measure of overdose
risk, never a dose conversion."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from intake.combinations import find_combination, strength_problem

# CDC 2022 (Dowell et al., MMWR RR 2022;71(3)). Oral mg/day, except the fentanyl patch,
# whose factor is per mcg/h. Tramadol is 0.2: older 2016 tables said 0.1.
MME_FACTORS: dict[str, float] = {
    "codeine": 0.15,
    "tramadol": 0.2,
    "tapentadol": 0.4,
    "hydrocodone": 1,
    "morphine": 1,
    "oxycodone": 1.5,
    "oxymorphone": 3,
    "hydromorphone": 5,
    "methadone": 4.7,
    "fentanyl_patch": 2.4,
}

# Patient-facing labels for the opioid drop-down. Buprenorphine and "other" have no factor:
# they are recorded and shown to staff but never added to the total.
OPIOID_CHOICES: tuple[tuple[str, str], ...] = (
    ("oxycodone", "Oxycodone (OxyContin, Percocet, Roxicodone)"),
    ("hydrocodone", "Hydrocodone (Norco, Vicodin, Hysingla)"),
    ("morphine", "Morphine (MS Contin, Kadian)"),
    ("hydromorphone", "Hydromorphone (Dilaudid)"),
    ("oxymorphone", "Oxymorphone (Opana)"),
    ("tramadol", "Tramadol (Ultram)"),
    ("tapentadol", "Tapentadol (Nucynta)"),
    ("codeine", "Codeine (including Tylenol with Codeine)"),
    ("methadone", "Methadone (Dolophine)"),
    ("fentanyl_patch", "Fentanyl patch (mcg/h)"),
    ("buprenorphine", "Buprenorphine (Suboxone, Subutex, Zubsolv, Belbuca, Butrans)"),
    ("other", "Another opioid (write its name)"),
)
_OPIOID_LABELS = dict(OPIOID_CHOICES)
PATCH_DRUGS = frozenset({"fentanyl_patch"})

MME_DISCLAIMER = (
    "MME is a measure of overdose risk, not a dose conversion between opioids. "
    "It must never be used to choose a dose."
)


@dataclass(frozen=True)
class OpioidLine:
    drug: str
    label: str
    daily_dose: float | None  # mg/day, or mcg/h for a patch
    unit: str
    factor: float | None
    mme: float | None
    note: str


@dataclass(frozen=True)
class MMEResult:
    total: float
    lines: tuple[OpioidLine, ...]
    band: str  # "none" | "<50" | "caution" (≥50) | "high" (≥90)
    has_buprenorphine: bool
    has_methadone: bool
    warnings: tuple[str, ...]


def _positive_number(value: object) -> float | None:
    """A finite number above zero from a JSON value ("10", 10, 7.5), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _opioid_line(row: object) -> OpioidLine:
    if not isinstance(row, dict):
        return OpioidLine("", "Unreadable entry", None, "", None, None, "Entry could not be read.")
    drug = row.get("drug")
    drug = drug if isinstance(drug, str) else ""
    label = _OPIOID_LABELS.get(drug, drug or "Opioid not named")
    if drug == "other" and isinstance(row.get("drug_other"), str) and row["drug_other"].strip():
        label = f"Other opioid: {row['drug_other'].strip()}"
    strength = _positive_number(row.get("strength"))
    per_day = _positive_number(row.get("doses_per_day"))
    combination = find_combination(row.get("product"))
    if combination is not None:
        label = f"{label} — {combination.description}"
        # Saved before the form checked it (or changed by hand): 325 for Percocet is the
        # acetaminophen, and counting it would give a total 30 times too high.
        if strength is not None and strength_problem(combination, strength):
            note = "Strength looks like the non-opioid part of the tablet; not counted."
            return OpioidLine(drug, label, None, "mg/day", MME_FACTORS.get(drug), None, note)
    is_patch = drug in PATCH_DRUGS
    unit = "mcg/h" if is_patch else "mg/day"
    if is_patch:
        daily = strength
    elif strength is not None and per_day is not None and per_day <= 24:
        daily = strength * per_day
    else:
        daily = None

    if drug == "buprenorphine":
        note = "Recorded, not counted: MME thresholds do not apply to buprenorphine."
        return OpioidLine(drug, label, daily, unit, None, None, note)
    factor = MME_FACTORS.get(drug)
    if factor is None:
        note = "No CDC conversion factor for this opioid; not counted — clinician to review."
        return OpioidLine(drug, label, daily, unit, None, None, note)
    if strength is None:
        note = "Strength missing or not a number; not counted."
        return OpioidLine(drug, label, None, unit, factor, None, note)
    if daily is None:
        note = "Doses per day missing, not a number or above 24; not counted."
        return OpioidLine(drug, label, None, unit, factor, None, note)
    note = "Long, variable half-life: MME is an estimate." if drug == "methadone" else ""
    return OpioidLine(drug, label, daily, unit, factor, round(daily * factor, 1), note)


def _mme_band(total: float) -> str:
    if total <= 0:
        return "none"
    if total >= 90:
        return "high"
    return "caution" if total >= 50 else "<50"


def compute_mme(rows: object) -> MMEResult:
    """Daily MME from the rows of answers["opioids"]. Never raises and never suggests doses."""
    rows = rows if isinstance(rows, list | tuple) else []
    lines = tuple(_opioid_line(row) for row in rows)
    # Sum unrounded products so rounding happens once, on the total.
    total = round(sum(line.daily_dose * line.factor for line in lines if line.mme is not None), 1)
    has_bup = any(line.drug == "buprenorphine" for line in lines)
    has_methadone = any(line.drug == "methadone" for line in lines)
    warnings = []
    if any(line.mme is None and line.factor is not None for line in lines) or any(
        line.drug not in _OPIOID_LABELS for line in lines
    ):
        warnings.append("Some opioid entries could not be counted: the total is incomplete.")
    if any(line.drug == "other" for line in lines):
        warnings.append("An opioid without a CDC conversion factor is listed: not in the total.")
    if has_bup:
        warnings.append(
            "Buprenorphine is recorded but excluded from the total; MME thresholds do not "
            "apply to opioid-use-disorder treatment."
        )
    if has_methadone:
        warnings.append(
            "Methadone has a long and variable half-life; its MME is an estimate and "
            "needs clinician review."
        )
    return MMEResult(total, lines, _mme_band(total), has_bup, has_methadone, tuple(warnings))
