"""Pure: what a step's POST may hold, and merging edits from two windows field by field.

A step page posts every field it shows, so a save cannot tell "typed this" from "still shows
what was there when the page opened". Each page therefore also posts what it was loaded
with (`_loaded`), a page id and a sequence number. Here, per field ("group": one question,
or a whole repeatable list), the three versions are compared:

- base: what this page showed when it opened;
- mine: what this page posts now;
- theirs: what is stored now (another window may have saved since).

A field this page did not change keeps theirs. A field only this page changed takes mine.
If both changed it to different values, mine is stored and theirs is kept as a conflict the
patient resolves: nothing is dropped silently. The state that makes this work (last seq per
page, which page last wrote each field, open conflicts) lives in the intake's drafts under
EDITS, next to the per-step drafts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from .questionnaire import Question, Section

EDITS = "_edits"  # key in Intake.drafts (step keys never start with "_")
PAGES_KEPT = 20  # page ids remembered per intake: tabs open at once, not page loads ever
CONTROL = ("_loaded", "_page", "_seq")
KEEP_PREFIX = "_keep-"  # "_keep-<question key>" = "mine" | "other": a conflict resolved
MAX_LOADED_CHARS = 500_000
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")

NOT_ANSWERED = "Not answered"


def kept_chars(limit: int) -> int:
    """How much of an over-long answer is stored and shown back with the error: enough to
    shorten it, never megabytes."""
    return limit + max(1000, limit)


@dataclass(frozen=True)
class Slot:
    """One name a step's form reads: its group and how many values of what size it takes."""

    group: str
    limit: int
    values: int = 1


@cache
def slots(section: Section) -> dict[str, Slot]:
    """Every name the step's form reads, with its bounds (kept per process: read only)."""
    out = {}
    for q in section.questions:
        if q.type != "repeat":
            many = len(q.choices) if q.type == "multi" else 1
            out[q.key] = Slot(q.key, q.max_chars, max(many, 1))
            continue
        for m in MANAGEMENT:
            out[f"{q.key}-{m}"] = Slot(q.key, 12)
        for i in range(q.max_rows):
            for sub in q.fields:
                out[f"{q.key}-{i}-{sub.key}"] = Slot(q.key, sub.max_chars)
            out[f"{q.key}-{i}-DELETE"] = Slot(q.key, 12)
    return out


def bounded(section: Section, data: dict[str, list[str]]) -> dict[str, list[str]]:
    """Only the names the step reads, each value cut to what is worth keeping, no NULs."""
    known = slots(section)
    out = {}
    for name, values in data.items():
        slot = known.get(name)
        if slot is None or not isinstance(values, list):
            continue
        out[name] = [
            str(v).replace("\x00", "")[: kept_chars(slot.limit)] for v in values[: slot.values]
        ]
    return out


def parse_loaded(section: Section, text: str | None) -> dict[str, list[str]] | None:
    """The page's starting values as it posted them; None if absent or unreadable."""
    if not text or len(text) > MAX_LOADED_CHARS:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return bounded(section, {str(k): v for k, v in data.items() if isinstance(v, list)})


def parse_seq(text: str | None) -> int | None:
    return int(text) if text and re.fullmatch(r"\d{1,9}", text) else None


def parse_page(text: str | None) -> str:
    return text if text and re.fullmatch(r"[A-Za-z0-9_-]{6,40}", text) else ""


# ------------------------------------------------------------------------ comparing


def _norm_value(v: str) -> str:
    # Browsers post a textarea's line breaks as CRLF; the form strips surrounding spaces.
    return v.replace("\r\n", "\n").strip()


def _norm(values: list[str]) -> tuple[str, ...]:
    return tuple(sorted(n for n in (_norm_value(v) for v in values) if n))


def _rows(q: Question, group: dict[str, list[str]]) -> list[tuple]:
    """A repeatable list as its filled-in, not-removed rows (row numbers and blank extra rows
    do not count as a change)."""
    rows = []
    for i in range(q.max_rows):
        if _norm(group.get(f"{q.key}-{i}-DELETE", [])):
            continue
        row = tuple((s.key, _norm(group.get(f"{q.key}-{i}-{s.key}", []))) for s in q.fields)
        if any(values for _, values in row):
            rows.append(row)
    return rows


def same(q: Question, a: dict[str, list[str]], b: dict[str, list[str]]) -> bool:
    """Do two versions of one group say the same thing? (Equal as posted, they do.)"""
    if q.type == "repeat":
        return a == b or _rows(q, a) == _rows(q, b)
    mine, theirs = a.get(q.key, []), b.get(q.key, [])
    return mine == theirs or _norm(mine) == _norm(theirs)


def split(section: Section, data: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Posted names by group (question key); every question gets an entry."""
    known = slots(section)
    out: dict[str, dict[str, list[str]]] = {q.key: {} for q in section.questions}
    for name, values in data.items():
        if name in known:
            out[known[name].group][name] = values
    return out


# ------------------------------------------------------------------------ merging


@dataclass
class EditState:
    """What the intake remembers about edits: last seq per page, which page last wrote each
    field of each step, and the conflicts still open (the other value, as posted)."""

    seq: dict[str, int] = field(default_factory=dict)
    by: dict[str, dict[str, str]] = field(default_factory=dict)
    conflicts: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)

    @classmethod
    def from_drafts(cls, drafts: dict) -> EditState:
        raw = drafts.get(EDITS) or {}
        return cls(
            seq=dict(raw.get("seq") or {}),
            by={k: dict(v) for k, v in (raw.get("by") or {}).items()},
            conflicts={k: dict(v) for k, v in (raw.get("conflicts") or {}).items()},
        )

    def as_json(self) -> dict:
        out = {"seq": self.seq, "by": self.by, "conflicts": self.conflicts}
        return {k: v for k, v in out.items() if v}

    def is_stale(self, page: str, seq: int | None) -> bool:
        return bool(page) and seq is not None and seq <= self.seq.get(page, -1)

    def record_seq(self, page: str, seq: int | None) -> None:
        if not page or seq is None:
            return
        self.seq.pop(page, None)
        self.seq[page] = seq  # newest last, so the oldest pages are forgotten first
        for old in list(self.seq)[:-PAGES_KEPT]:
            del self.seq[old]


@dataclass
class Merge:
    data: dict[str, list[str]]  # what to validate and store for the step
    conflicts: dict[str, dict[str, list[str]]]  # open conflicts of the step, by group


def merge(
    section: Section,
    *,
    state: EditState,
    page: str,
    base: dict[str, list[str]] | None,
    mine: dict[str, list[str]],
    theirs: dict[str, list[str]],
    keep: dict[str, str],
) -> Merge:
    """Merge one step's save into what is stored, field by field; updates `state`."""
    by = state.by.setdefault(section.key, {})
    conflicts = state.conflicts.setdefault(section.key, {})
    base_g = split(section, base) if base is not None else None
    mine_g, theirs_g = split(section, mine), split(section, theirs)
    out: dict[str, list[str]] = {}
    for q in section.questions:
        key = q.key
        m, t = mine_g[key], theirs_g[key]
        chosen = _resolve(q, m, t, base_g[key] if base_g is not None else None, by.get(key), page)
        open_other = conflicts.get(key)
        if open_other is not None and keep.get(key) in ("mine", "other"):
            alternative = other_value(q, open_other, m, t)
            chosen = alternative if keep[key] == "other" else m
            del conflicts[key]
        elif open_other is not None and same(q, m, open_other):
            chosen = t  # this window still shows the value that lost: no ping-pong
        elif chosen is None:  # both windows changed it: keep mine, remember theirs
            conflicts[key] = t
            chosen = m
        if not same(q, chosen, t):
            if page:
                by[key] = page
            else:
                by.pop(key, None)
        out.update(chosen)
    for store in (state.by, state.conflicts):
        if not store[section.key]:
            del store[section.key]
    return Merge(out, dict(state.conflicts.get(section.key, {})))


def _resolve(q, mine, theirs, base, writer, page):
    """mine, theirs, or None for a conflict."""
    if base is None:  # a client that sends no starting point: the whole step as posted
        return mine
    if page and writer == page:
        return mine  # this page's own newer edit of what it wrote before
    if same(q, mine, base):
        return theirs
    if same(q, theirs, base) or same(q, mine, theirs):
        return mine
    return None


def other_value(q: Question, other: dict, mine: dict, theirs: dict) -> dict[str, list[str]]:
    """The value of an open conflict that this window does not show: the one that lost, or
    for the window that still shows it, the one stored."""
    return theirs if same(q, mine, other) else other


# ------------------------------------------------------------------------ showing


def describe(q: Question, group: dict[str, list[str]]) -> str:
    """A group's values as the patient would read them."""
    if q.type == "repeat":
        subs = {s.key: s for s in q.fields}
        lines = [
            ", ".join(f"{subs[k].label}: {_text(subs[k], list(v))}" for k, v in row if v)
            for row in _rows(q, group)
        ]
        return "; ".join(lines) or NOT_ANSWERED
    return _text(q, group.get(q.key, []))


def _text(q: Question, values: list[str]) -> str:
    values = [v for v in values if _norm_value(v)]
    if q.type == "consent":
        return "Ticked" if values else "Not ticked"
    if not values:
        return NOT_ANSWERED
    if q.choices:
        return ", ".join(q.choice_label(v) for v in values)
    return ", ".join(_norm_value(v) for v in values)


# ------------------------------------------------------------------------ reading a POST


@dataclass(frozen=True)
class Posted:
    """One save of a step as the page sent it, bounded and split from its control fields."""

    values: dict[str, list[str]]
    loaded: dict[str, list[str]] | None
    page: str = ""
    seq: int | None = None
    keep: dict[str, str] = field(default_factory=dict)


def read_post(section: Section, data: dict[str, list[str]]) -> Posted:
    """A step's POST (every name with its list of values) as a Posted save."""

    def first(name):
        values = data.get(name) or [None]
        return values[0]

    keys = {q.key for q in section.questions}
    keep = {}
    for name, values in data.items():
        key = name.removeprefix(KEEP_PREFIX)
        if name.startswith(KEEP_PREFIX) and key in keys and values[:1] in (["mine"], ["other"]):
            keep[key] = values[0]
    return Posted(
        values=bounded(section, data),
        loaded=parse_loaded(section, first("_loaded")),
        page=parse_page(first("_page")),
        seq=parse_seq(first("_seq")),
        keep=keep,
    )


@dataclass(frozen=True)
class ConflictNote:
    """Both values of an open conflict, as the patient reads them."""

    shown: str  # what this window shows
    other: str  # what the other window saved


def conflict_notes(
    section: Section,
    conflicts: dict[str, dict[str, list[str]]],
    *,
    shown: dict[str, list[str]],
    stored: dict[str, list[str]],
) -> dict[str, ConflictNote]:
    """For each open conflict: what this window shows and the other value, described."""
    shown_g, stored_g = split(section, shown), split(section, stored)
    return {
        q.key: ConflictNote(
            describe(q, shown_g[q.key]),
            describe(q, other_value(q, conflicts[q.key], shown_g[q.key], stored_g[q.key])),
        )
        for q in section.questions
        if q.key in conflicts
    }
