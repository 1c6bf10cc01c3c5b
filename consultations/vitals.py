"""Pure: which of a vitals reading's values lie outside the clinic's limits, and why.

The limits are the clinic's (ClinicSettings, editable on the clinic settings page); a
value equal to a limit is inside it. A highlight for the clinician at the chair, never
advice: the app says which number is outside which limit and nothing about what to do,
and it never computes or suggests a dose. No Django, no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    systolic_min: int = 90
    systolic_max: int = 160
    diastolic_min: int = 50
    diastolic_max: int = 100
    heart_rate_min: int = 50
    heart_rate_max: int = 110
    spo2_min: int = 92

    def problems(self) -> list[str]:
        """Limits that make no sense together (a minimum above its maximum)."""
        pairs = (
            ("Systolic", self.systolic_min, self.systolic_max),
            ("Diastolic", self.diastolic_min, self.diastolic_max),
            ("Heart rate", self.heart_rate_min, self.heart_rate_max),
        )
        found = [f"{name}: the lowest is above the highest." for name, lo, hi in pairs if lo > hi]
        if not 50 <= self.spo2_min <= 100:
            found.append("SpO2: the lowest must be between 50 and 100 %.")
        return found


@dataclass(frozen=True)
class OutOfRange:
    field: str  # "systolic", "diastolic", "heart_rate", "spo2"
    value: int
    why: str  # "above 160 mmHg", "below 92 %"


UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "heart_rate": "bpm", "spo2": "%"}
LABELS = {
    "systolic": "Systolic BP",
    "diastolic": "Diastolic BP",
    "heart_rate": "Heart rate",
    "spo2": "SpO2",
}


def out_of_range(
    *,
    systolic: int | None = None,
    diastolic: int | None = None,
    heart_rate: int | None = None,
    spo2: int | None = None,
    limits: Limits,
) -> list[OutOfRange]:
    """Each value outside its limit (missing values are not judged), in a fixed order."""
    checks = (
        ("systolic", systolic, limits.systolic_min, limits.systolic_max),
        ("diastolic", diastolic, limits.diastolic_min, limits.diastolic_max),
        ("heart_rate", heart_rate, limits.heart_rate_min, limits.heart_rate_max),
        ("spo2", spo2, limits.spo2_min, None),
    )
    found = []
    for field, value, low, high in checks:
        if value is None:
            continue
        unit = UNITS[field]
        if value < low:
            found.append(OutOfRange(field, value, f"below {low} {unit}"))
        elif high is not None and value > high:
            found.append(OutOfRange(field, value, f"above {high} {unit}"))
    return found
