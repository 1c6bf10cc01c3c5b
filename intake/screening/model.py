"""The shapes screening works with: severities, sources, rules, flags, policy, triage.

Pure: no Django, no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from intake import scoring


class Severity:
    """Plain string constants, not an Enum: they are stored and compared as strings."""

    STOP = "stop"  # a clinician must clear it before the patient may book
    CAUTION = "caution"  # a clinician reviews it
    INFO = "info"  # for the clinician's picture


SEVERITIES = (Severity.STOP, Severity.CAUTION, Severity.INFO)
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
DETAIL_MAX = 400  # IntakeFlag.detail is a CharField(max_length=400)


class Source:
    GUIDELINE = "2018 ASRA/AAPM/ASA consensus guideline (Cohen 2018)"
    CDC = "CDC 2022 opioid guideline (Dowell 2022)"
    INSTRUMENT = "instrument publication"
    CLINIC = "clinic policy"


@dataclass(frozen=True)
class Facts:
    answers: dict  # visible answers only: a stale answer behind a changed gate never counts
    scores: dict
    mme: scoring.MMEResult
    today: dt.date
    pcptsd_cutoff: int = 3


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    default_severity: str
    source: str
    message: str
    triggers: tuple[str, ...]
    test: Callable[[Facts], bool]
    editable: bool = True
    detail: Callable[[Facts], str] | None = None

    def __post_init__(self):
        if self.default_severity not in SEVERITIES:
            raise ValueError(f"{self.code}: unknown severity {self.default_severity!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", self.code):  # IntakeFlag.code is 40
            raise ValueError(f"rule code {self.code!r} is not short snake_case")


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    severity: str
    source: str
    message: str
    triggers: tuple[tuple[str, str], ...]
    detail: str = ""


@dataclass(frozen=True)
class Policy:
    version: int = 0
    severities: dict[str, str] = field(default_factory=dict)
    pcptsd_cutoff: int = 3

    def __post_init__(self):
        if self.pcptsd_cutoff not in (3, 4):
            raise ValueError("PC-PTSD-5 cut-point must be 3 or 4")

    def severity_for(self, rule: Rule) -> str:
        """The clinic's override if it is a known severity and the rule allows one."""
        override = self.severities.get(rule.code)
        return override if rule.editable and override in SEVERITIES else rule.default_severity


class Triage(StrEnum):
    """The queue's triage levels, the most urgent first, each with how staff see it.

    The one definition: the member order is the queue's order (Intake.triage_rank), and the
    badge, Intake.triage's choices and the dashboard filter all read label, colour and icon
    from here. A StrEnum rather than Django's TextChoices because this module is pure.
    """

    URGENT = "urgent", "Urgent safety", "red", "bi-exclamation-octagon-fill"
    STOP = "stop", "Stop: clinician must clear", "red", "bi-sign-stop-fill"
    REVIEW = "review", "Caution", "amber", "bi-exclamation-triangle-fill"
    CLEAR = "clear", "No stop flags", "green", "bi-check-circle-fill"

    def __new__(cls, value: str, label: str, colour: str, icon: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label, member.colour, member.icon = label, colour, icon
        return member

    @property
    def rank(self) -> int:
        return list(Triage).index(self)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


URGENT_CODE = "phq9_item9"


@dataclass(frozen=True)
class ScreeningResult:
    flags: tuple[Flag, ...]
    triage: Triage
    policy_version: int

    def by_severity(self, severity: str) -> list[Flag]:
        return [flag for flag in self.flags if flag.severity == severity]

    @property
    def stop_codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags if flag.severity == Severity.STOP)


# ------------------------------------------------------------------ answer helpers
