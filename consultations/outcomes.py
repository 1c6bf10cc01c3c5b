"""Pure outcome rules: baseline, change from baseline, responder, relief fading.

Plain values in, small frozen dataclasses out; no Django, no clock. Sources (CLINICAL.md §8,
IMMPACT): a >= 30 % reduction from baseline in PEG is a response, >= 50 % a substantial one.
Percentages are computed with exact fractions, so 10 -> 7 is exactly 30 % (floats would make
it 29.999...). A missing value is never read as improvement: no data gives "unknown".

Check-in scores are keyed {"peg", "phq9", "gad7", "mme", "pgic"} (CheckIn.scores); the
intake keeps its snapshot as {"PEG": {"value": ..., "complete": ...}, ...} plus mme_total.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

RESPONDER_REDUCTION = Fraction(30, 100)
SUBSTANTIAL_REDUCTION = Fraction(50, 100)
# Relief is fading once a responder has lost half of the PEG points gained at their best.
FADING_SHARE_LOST = Fraction(1, 2)

# Patient Global Impression of Change: the 7-point IMMPACT scale (Farrar 2001; Dworkin 2005),
# coded as published, 1 = very much improved ... 7 = very much worse.
PGIC_QUESTION = (
    "Since you started treatment at this clinic, how would you describe the change in "
    "your overall status?"
)
PGIC_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "Very much improved"),
    (2, "Much improved"),
    (3, "Minimally improved"),
    (4, "No change"),
    (5, "Minimally worse"),
    (6, "Much worse"),
    (7, "Very much worse"),
)
# IMMPACT: "much" or "very much improved" is a clinically important improvement.
PGIC_IMPROVED_AT_MOST = 2


class Response(enum.StrEnum):
    UNKNOWN = "unknown"
    NOT_RESPONDER = "not_responder"
    RESPONDER = "responder"
    SUBSTANTIAL = "substantial"

    @property
    def is_responder(self) -> bool:
        return self in (Response.RESPONDER, Response.SUBSTANTIAL)

    @property
    def label(self) -> str:
        return _RESPONSE_LABELS[self]


_RESPONSE_LABELS = {
    Response.UNKNOWN: "Not known yet",
    Response.NOT_RESPONDER: "Below response threshold",
    Response.RESPONDER: "Responder (≥30 % PEG reduction)",
    Response.SUBSTANTIAL: "Substantial response (≥50 % PEG reduction)",
}


@dataclass(frozen=True)
class Measures:
    """The outcome measures at one point in time; None where not known."""

    peg: float | None = None
    phq9: int | None = None
    gad7: int | None = None
    mme: float | None = None
    pgic: int | None = None


@dataclass(frozen=True)
class Change:
    """current - baseline (negative = lower), and as % of baseline (None when baseline is 0)."""

    baseline: float | None
    current: float | None
    absolute: float | None
    percent: float | None

    @property
    def known(self) -> bool:
        return self.absolute is not None


@dataclass(frozen=True)
class FollowUp:
    """One scheduled check-in: when it was due and its measures (all None when missed)."""

    due_at: datetime
    measures: Measures


@dataclass(frozen=True)
class Outcome:
    """Where a patient stands against baseline, from the latest due check-in."""

    baseline: Measures
    latest: Measures
    peg: Change
    phq9: Change
    gad7: Change
    mme: Change
    response: Response
    best_response: Response
    relief_fading: bool
    reason: str  # why the response is what it is, for staff ("" when plain)


def _number(value: object) -> float | None:
    """A finite number from a JSON/DB value (int, float, Decimal, "6.3"), else None."""
    if isinstance(value, bool) or value is None:
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
    return number if math.isfinite(number) else None


def _whole(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _intake_value(scores: dict, code: str) -> object:
    entry = scores.get(code) if isinstance(scores, dict) else None
    if not isinstance(entry, dict) or not entry.get("complete", True):
        return None
    return entry.get("value")


def baseline_from_intake(scores: dict, mme_total: object, takes_opioids: object = None) -> Measures:
    """Baseline from the intake's score snapshot; MME 0 when the patient takes no opioids."""
    mme = _number(mme_total)
    if mme is None and takes_opioids == "no":
        mme = 0.0
    return Measures(
        peg=_number(_intake_value(scores, "PEG")),
        phq9=_whole(_intake_value(scores, "PHQ9")),
        gad7=_whole(_intake_value(scores, "GAD7")),
        mme=mme,
    )


def measures_from_check_in(scores: dict) -> Measures:
    """Measures from CheckIn.scores ({"peg", "phq9", "gad7", "mme", "pgic"})."""
    scores = scores if isinstance(scores, dict) else {}
    return Measures(
        peg=_number(scores.get("peg")),
        phq9=_whole(scores.get("phq9")),
        gad7=_whole(scores.get("gad7")),
        mme=_number(scores.get("mme")),
        pgic=_whole(scores.get("pgic")),
    )


def _exact(value: float) -> Fraction:
    # Via str: Fraction(0.1) is 3602879701896397/36028797018963968, Fraction("0.1") is 1/10.
    return Fraction(repr(value))


def change(baseline: float | None, current: float | None) -> Change:
    """Change from baseline; unknown when either is missing; no % when the baseline is 0."""
    if baseline is None or current is None:
        return Change(baseline, current, None, None)
    delta = _exact(current) - _exact(baseline)
    percent = None if baseline == 0 else round(float(delta / _exact(baseline) * 100), 1)
    return Change(baseline, current, round(float(delta), 1), percent)


def peg_response(baseline: float | None, current: float | None) -> Response:
    """Responder at >= 30 % PEG reduction, substantial at >= 50 %; unknown without data."""
    if baseline is None or current is None or baseline <= 0:
        return Response.UNKNOWN
    reduction = (_exact(baseline) - _exact(current)) / _exact(baseline)
    if reduction >= SUBSTANTIAL_REDUCTION:
        return Response.SUBSTANTIAL
    if reduction >= RESPONDER_REDUCTION:
        return Response.RESPONDER
    return Response.NOT_RESPONDER


def relief_fading(baseline: float | None, pegs: Sequence[float | None]) -> bool:
    """True when, after reaching a response, the latest known PEG has lost >= half the gain.

    pegs are in time order; None (missed) values are skipped, never read as improvement.
    """
    if baseline is None or baseline <= 0:
        return False
    best: Fraction | None = None
    latest: Fraction | None = None
    base = _exact(baseline)
    for value in pegs:
        if value is None:
            continue
        latest = _exact(value)
        if peg_response(baseline, value).is_responder and (best is None or latest < best):
            best = latest
    if best is None or latest is None:
        return False
    gain = base - best
    return latest - best >= gain * FADING_SHARE_LOST


def pgic_improved(value: int | None) -> bool | None:
    """IMMPACT: "much" or "very much improved"; None when not answered."""
    if value is None or not 1 <= value <= 7:
        return None
    return value <= PGIC_IMPROVED_AT_MOST


def _reason(baseline: Measures, latest_known: bool, response: Response) -> str:
    if baseline.peg is None:
        return "No baseline PEG from the intake."
    if baseline.peg == 0:
        return "Baseline PEG is 0: a reduction cannot be measured."
    if not latest_known:
        return "The latest check-in has no PEG (missed or not done yet)."
    return ""


def summarize(baseline: Measures, follow_ups: Sequence[FollowUp]) -> Outcome:
    """The patient's outcome from the latest due check-in (missed → unknown, never better)."""
    ordered = sorted(follow_ups, key=lambda f: f.due_at)
    latest = ordered[-1].measures if ordered else Measures()
    pegs = [f.measures.peg for f in ordered]
    response = peg_response(baseline.peg, latest.peg)
    known = [peg_response(baseline.peg, p) for p in pegs if p is not None]
    order = list(Response)
    best = max(known, key=order.index, default=Response.UNKNOWN)
    return Outcome(
        baseline=baseline,
        latest=latest,
        peg=change(baseline.peg, latest.peg),
        phq9=change(_float(baseline.phq9), _float(latest.phq9)),
        gad7=change(_float(baseline.gad7), _float(latest.gad7)),
        mme=change(baseline.mme, latest.mme),
        response=response,
        best_response=best,
        relief_fading=relief_fading(baseline.peg, pegs),
        reason=_reason(baseline, latest.peg is not None, response),
    )


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)
