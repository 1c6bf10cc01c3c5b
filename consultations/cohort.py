"""Pure: the clinic's infusion series, summed up by diagnosis and by evidence grade.

Plain values in (one `CourseFacts` per series, `now`), rows out; no Django, no ORM, no
clock. The response of each course comes from consultations.outcomes (the same rule the
chart and the booster prompt use), so a missed latest check-in is "not known", never a
response, and a course without any follow-up yet counts in no rate's numerator.

Rates say what they are over: follow-up completion is answered / due follow-ups; the
responder rate is over the courses whose latest due follow-up has a PEG (the "evaluable"
ones), and the page shows how many are not evaluable beside it.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from consultations import outcomes
from intake.screening import EVIDENCE_GRADES

# The follow-ups the completion rate counts (monthly maintenance check-ins are not
# scheduled for everyone, so they would make clinics with more maintenance look worse).
FOLLOW_UP_KINDS = ("week_1", "week_4", "week_12")
GRADE_ORDER = ("B", "C", "D", "not graded")
GRADE_LABELS = {
    "B": "Grade B (moderate evidence)",
    "C": "Grade C (weak, short-term)",
    "D": "Grade D (weak or none)",
    "not graded": "Not graded",
    "": "No diagnosis recorded",
}


@dataclass(frozen=True)
class CheckInFacts:
    kind: str
    due_at: datetime
    completed: bool
    scores: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CourseFacts:
    course_id: int
    diagnoses: tuple[str, ...]
    baseline: outcomes.Measures
    check_ins: tuple[CheckInFacts, ...] = ()


@dataclass(frozen=True)
class CourseResult:
    course_id: int
    diagnoses: tuple[str, ...]
    grade: str
    follow_ups_due: int
    follow_ups_done: int
    outcome: outcomes.Outcome


@dataclass(frozen=True)
class Row:
    """One line of the cohort table (a diagnosis, a grade, or all courses)."""

    key: str
    label: str
    courses: int
    follow_ups_due: int
    follow_ups_done: int
    evaluable: int
    responders: int
    substantial: int
    median_peg_change: float | None  # points, latest - baseline (negative = better)
    median_peg_percent: float | None
    median_mme_change: float | None  # mg/day, latest known - baseline

    @property
    def completion_rate(self) -> float | None:
        if not self.follow_ups_due:
            return None
        return round(100 * self.follow_ups_done / self.follow_ups_due, 1)

    @property
    def responder_rate(self) -> float | None:
        if not self.evaluable:
            return None
        return round(100 * self.responders / self.evaluable, 1)

    @property
    def not_evaluable(self) -> int:
        return self.courses - self.evaluable


@dataclass(frozen=True)
class Cohort:
    total: Row
    by_grade: tuple[Row, ...]
    by_diagnosis: tuple[Row, ...]
    results: tuple[CourseResult, ...]


def strongest_grade(diagnoses: Iterable[str]) -> str:
    """The best evidence grade among a patient's diagnoses ("" when none is recorded)."""
    grades = {EVIDENCE_GRADES.get(code) for code in diagnoses} - {None}
    return next((g for g in GRADE_ORDER if g in grades), "")


def course_result(facts: CourseFacts, *, now: datetime) -> CourseResult:
    """One course: its follow-ups due and answered by `now`, and its outcome."""
    due = [c for c in facts.check_ins if c.due_at <= now]
    follow_ups = [c for c in due if c.kind in FOLLOW_UP_KINDS]
    # The outcome reads every due check-in in time order: a missed one carries no measures.
    outcome = outcomes.summarize(
        facts.baseline,
        [
            outcomes.FollowUp(
                c.due_at,
                outcomes.measures_from_check_in(c.scores) if c.completed else outcomes.Measures(),
            )
            for c in due
            if c.kind != "pre_infusion"
        ],
    )
    return CourseResult(
        course_id=facts.course_id,
        diagnoses=tuple(facts.diagnoses),
        grade=strongest_grade(facts.diagnoses),
        follow_ups_due=len(follow_ups),
        follow_ups_done=sum(1 for c in follow_ups if c.completed),
        outcome=outcome,
    )


def summarize(
    courses: Sequence[CourseFacts], *, now: datetime, diagnosis_labels: dict[str, str]
) -> Cohort:
    """Totals, one row per evidence grade and one per diagnosis (a course with two
    diagnoses counts in both diagnosis rows, so those rows do not add up to the total)."""
    results = [course_result(c, now=now) for c in courses]
    grades = [
        _row(g, GRADE_LABELS[g], [r for r in results if r.grade == g])
        for g in (*GRADE_ORDER, "")
        if any(r.grade == g for r in results)
    ]
    codes = sorted(
        {code for r in results for code in r.diagnoses},
        key=lambda code: diagnosis_labels.get(code, code),
    )
    diagnoses = [
        _row(code, diagnosis_labels.get(code, code), [r for r in results if code in r.diagnoses])
        for code in codes
    ]
    return Cohort(
        total=_row("all", "All courses", results),
        by_grade=tuple(grades),
        by_diagnosis=tuple(diagnoses),
        results=tuple(results),
    )


def _row(key: str, label: str, results: Sequence[CourseResult]) -> Row:
    evaluable = [r for r in results if r.outcome.response != outcomes.Response.UNKNOWN]
    peg = [r.outcome.peg for r in evaluable if r.outcome.peg.known]
    mme = [r.outcome.mme.absolute for r in results if r.outcome.mme.known]
    return Row(
        key=key,
        label=label,
        courses=len(results),
        follow_ups_due=sum(r.follow_ups_due for r in results),
        follow_ups_done=sum(r.follow_ups_done for r in results),
        evaluable=len(evaluable),
        responders=sum(1 for r in evaluable if r.outcome.response.is_responder),
        substantial=sum(
            1 for r in evaluable if r.outcome.response == outcomes.Response.SUBSTANTIAL
        ),
        median_peg_change=_median([c.absolute for c in peg]),
        median_peg_percent=_median([c.percent for c in peg if c.percent is not None]),
        median_mme_change=_median(mme),
    )


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


CSV_HEADER = [
    "group",
    "group_label",
    "courses",
    "follow_ups_due",
    "follow_ups_answered",
    "follow_up_completion_percent",
    "evaluable_courses",
    "responders",
    "substantial_responders",
    "responder_rate_percent",
    # Reductions (baseline - latest, positive = better): the export's cell guard would
    # prefix a leading minus with an apostrophe, turning every improvement into text.
    "median_peg_reduction_points",
    "median_peg_reduction_percent",
    "median_mme_reduction_mg_per_day",
]


def csv_rows(cohort: Cohort) -> list[list]:
    """The table as CSV rows: totals, grades, then diagnoses (numbers only, no patient)."""
    out = []
    for group, rows in (
        ("total", [cohort.total]),
        ("grade", cohort.by_grade),
        ("diagnosis", cohort.by_diagnosis),
    ):
        for row in rows:
            out.append(
                [
                    f"{group}:{row.key}",
                    row.label,
                    row.courses,
                    row.follow_ups_due,
                    row.follow_ups_done,
                    _blank(row.completion_rate),
                    row.evaluable,
                    row.responders,
                    row.substantial,
                    _blank(row.responder_rate),
                    _negated(row.median_peg_change),
                    _negated(row.median_peg_percent),
                    _negated(row.median_mme_change),
                ]
            )
    return out


def _blank(value) -> str:
    return "" if value is None else str(value)


def _negated(value) -> str:
    return "" if value is None else str(round(-value, 1) + 0.0)
