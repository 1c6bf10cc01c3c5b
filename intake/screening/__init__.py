"""Screening rules as data: flags for staff, never a decision (docs/CLINICAL.md §2–§8).

Pure: no Django, no database, no clock (`today` is passed in). Each Rule is a row of RULES
with a small predicate over Facts (visible answers, instrument scores, MME). screen() runs
every rule, applies the clinic's Policy (which findings stop a booking is clinic policy,
edited by an admin and versioned) and returns the flags sorted for staff with a triage level.

Default severities follow CLINICAL.md §3: the guideline's relative contraindications (Cohen
2018) plus the clinic's stricter stop list [verify: clinic policy, not guideline].
Predicates read answers defensively (a malformed value simply does not match) because
screen() must never raise on a stored intake.
"""

from __future__ import annotations

import datetime as dt

from intake import scoring
from intake.display import format_answer
from intake.questionnaire import QUESTION_BY_KEY, is_empty, visible_answers

from .model import (
    _RANK,
    DETAIL_MAX,
    SEVERITIES,
    URGENT_CODE,
    Facts,
    Flag,
    Policy,
    Rule,
    ScreeningResult,
    Severity,
    Source,
    Triage,
)
from .rules import _FIRED_TRIGGERS, CAUTION, EVIDENCE_GRADES, INFO, RULE_BY_CODE, RULES, STOP

__all__ = [
    "CAUTION",
    "INFO",
    "STOP",
    "DETAIL_MAX",
    "EVIDENCE_GRADES",
    "RULE_BY_CODE",
    "RULES",
    "SEVERITIES",
    "URGENT_CODE",
    "Facts",
    "Flag",
    "Policy",
    "Rule",
    "ScreeningResult",
    "Severity",
    "Source",
    "Triage",
    "screen",
]

# ------------------------------------------------------------------------ screen


def _display(key: str, value: object) -> str:
    try:
        return format_answer(QUESTION_BY_KEY[key], value)
    except (TypeError, ValueError, OverflowError):
        return str(value)  # a malformed stored value is shown as it is, never hidden


def _trigger_answers(rule: Rule, facts: Facts) -> tuple[tuple[str, str], ...]:
    fired = _FIRED_TRIGGERS.get(rule.code)
    keys = [k for k in rule.triggers if fired is None or k in fired(facts)]
    return tuple(
        (QUESTION_BY_KEY[key].label, _display(key, facts.answers[key]))
        for key in keys
        if key in QUESTION_BY_KEY and not is_empty(facts.answers.get(key))
    )


def _mme(rows: object) -> scoring.MMEResult:
    try:
        return scoring.compute_mme(rows)
    except OverflowError:  # compute_mme turns a huge integer into a float
        note = "A number was too large to read; not counted."
        line = scoring.OpioidLine("", "Unreadable entry", None, "", None, None, note)
        return scoring.MMEResult(0, (line,), "none", False, False, (note,))


def _clip(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def screen(answers: dict, *, policy: Policy, today: dt.date) -> ScreeningResult:
    """Run every rule over the visible answers; flags sorted stop, caution, info."""
    visible = visible_answers(answers if isinstance(answers, dict) else {})
    facts = Facts(
        answers=visible,
        scores=scoring.score_all(visible, pcptsd_cutoff=policy.pcptsd_cutoff),
        mme=_mme(visible.get("opioids") or []),
        today=today,
        pcptsd_cutoff=policy.pcptsd_cutoff,
    )
    flags = [
        Flag(
            rule.code,
            rule.title,
            policy.severity_for(rule),
            rule.source,
            rule.message,
            _trigger_answers(rule, facts),
            _clip(rule.detail(facts)) if rule.detail else "",
        )
        for rule in RULES
        if rule.test(facts)
    ]
    flags.sort(key=lambda flag: _RANK[flag.severity])  # stable: rule order within a severity
    if any(flag.code == URGENT_CODE for flag in flags):
        triage = Triage.URGENT
    elif any(flag.severity == Severity.STOP for flag in flags):
        triage = Triage.STOP
    elif any(flag.severity == Severity.CAUTION for flag in flags):
        triage = Triage.REVIEW
    else:
        triage = Triage.CLEAR
    return ScreeningResult(tuple(flags), triage, policy.version)
