"""The staff review page's long lists written as HTML in Python: the answers, the flags,
the scores, the opioid lines, the history, who viewed the record and the previous intakes.

Drawn through the template engine these were a few thousand nodes a page, most of the
page's time (issue 15). Every value goes through `_e`, which escapes as the templates do
(`conditional_escape`: text is escaped, HTML already marked safe is kept), and the markup is
the one the templates wrote. The templates decide what is shown to whom; these only draw
what they are handed.
"""

import datetime as dt
import re

from django.utils import dateformat
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from clinic.core.html import e

from .display import NOT_ANSWERED

STAMP = "M j, Y g:i a"  # "a" ends in "a.m." already


def _e(value) -> str:
    """`{{ value }}`: a number or date as the template shows it, then escaped unless it is
    HTML already marked safe."""
    if isinstance(value, str) or hasattr(value, "__html__"):
        return e(value)
    return e(localize(value))


def _lines(text) -> str:
    """`|linebreaksbr`: escaped unless marked safe, each line break a <br>."""
    safe = hasattr(text, "__html__")
    text = re.sub(r"\r\n|\r", "\n", str(text))
    return (text if safe else e(text)).replace("\n", "<br>")


class _Stamps:
    """`|date:"M j, Y g:i a"` in the current time zone, each minute formatted once a list."""

    def __init__(self):
        self.seen = {}

    def __call__(self, when) -> str:
        if when is None or when == "":
            return ""
        if isinstance(when, dt.datetime):  # the format shows no seconds (zones: whole minutes)
            when = when.replace(second=0, microsecond=0)
        text = self.seen.get(when)
        if text is None:
            text = self.seen[when] = _e(dateformat.format(template_localtime(when), STAMP))
        return text


def answers(sections) -> str:
    """intake/_answers.html as staff read it (never editable here)."""
    out = []
    for block in sections:
        key, title = _e(block.section.key), _e(block.section.title)
        out.append(
            f'<section class="card mb-3" aria-labelledby="sec-{key}">\n'
            '<div class="card-header d-flex justify-content-between align-items-center">\n'
            f'<h2 class="h5 mb-0" id="sec-{key}">{title}</h2>\n</div>\n'
            '<dl class="card-body row mb-0 answers">\n'
        )
        for item in block.items:
            if item.rows:
                shown = "".join(f"<li>{_e(row)}</li>" for row in item.rows)
                shown = f'<ul class="list-unstyled mb-0">{shown}</ul>'
            elif item.text == NOT_ANSWERED:
                shown = f'<span class="text-body-secondary fst-italic">{_e(item.text)}</span>'
            else:
                shown = _lines(item.text)
            label = _e(item.question.label)
            out.append(
                f'<dt class="col-md-6 fw-normal text-body-secondary">{label}</dt>\n'
                f'<dd class="col-md-6">{shown}</dd>\n'
            )
        out.append("</dl>\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e


def _badge(colour: str, icon: str, words: str) -> str:
    icon = f'<i class="bi {icon}" aria-hidden="true"></i>'
    return f'<span class="badge text-bg-{colour}">{icon} {words}</span>'


_SEVERITY = {
    "stop": _badge("danger", "bi-sign-stop-fill", "Stop"),
    "caution": _badge("warning", "bi-exclamation-triangle-fill", "Caution"),
}
_INFO = _badge("secondary", "bi-info-circle-fill", "Info")
_CLEARED = _badge("success", "bi-check2", "Cleared")


def flags(flags, *, clear_url, csrf_input: str, may_clear: bool) -> str:
    """The screening flags' list items; `clear_url(flag)` is where a stop flag is cleared
    (asked only when `may_clear`)."""
    if not flags:
        return mark_safe('<li class="list-group-item">No flags.</li>')
    stamp = _Stamps()
    out = []
    for flag in flags:
        severity = _e(flag.severity)
        detail = f" <span>— {_e(flag.detail)}</span>" if flag.detail else ""
        cleared = f" {_CLEARED}" if flag.cleared_at else ""
        out.append(
            f'<li class="list-group-item flag flag-{severity}">\n'
            '<div class="d-flex flex-wrap gap-2 align-items-baseline">\n'
            f"{_SEVERITY.get(flag.severity, _INFO)}\n"
            f"<strong>{_e(flag.title)}</strong>{detail}{cleared}\n</div>\n"
            f'<p class="mb-1 small">{_e(flag.message)}</p>\n'
        )
        if flag.triggers:
            because = "; ".join(
                f"“{_e(Truncator(label).chars(80))}” → <strong>{_e(answer)}</strong>"
                for label, answer in flag.triggers
            )
            out.append(
                '<p class="mb-1 small"><span class="text-body-secondary">Because:</span> '
                f"{because}</p>\n"
            )
        out.append(f'<p class="mb-0 small text-body-secondary">Source: {_e(flag.source)}</p>\n')
        if flag.cleared_at:
            out.append(
                f'<p class="mb-0 small">Cleared by {_e(flag.cleared_by)} on '
                f"{stamp(flag.cleared_at)}: {_e(flag.clear_reason)}</p>\n"
            )
        elif flag.severity == "stop" and may_clear:
            pk = _e(flag.pk)
            action = _e(clear_url(flag))
            out.append(
                f'<form method="post" action="{action}" class="mt-2 no-print">{csrf_input}\n'
                f'<label class="form-label small" for="id_flag{pk}-reason">'
                "Reason for clearing</label>\n"
                '<div class="d-flex gap-2"><input class="form-control form-control-sm" '
                f'name="flag{pk}-reason" id="id_flag{pk}-reason" required>\n'
                '<button class="btn btn-sm btn-outline-danger text-nowrap">Clear flag</button>'
                "</div>\n</form>\n"
            )
        out.append("</li>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e


def scores(rows) -> str:
    """The score table's body rows (intake.display.score_rows)."""
    out = []
    for score in rows:
        if score.value:
            value = _e(score.value)
        elif score.note:
            value = f'<span class="text-body-secondary">{_e(score.note)}</span>'
        else:
            value = "—"
        badge = ' <span class="badge text-bg-warning">positive</span>' if score.badge else ""
        out.append(
            f'<tr><th scope="row">{_e(score.label)}</th>\n'
            f"<td>{value}</td>\n"
            f"<td>{_e(score.band or '—')}{badge}</td>\n"
            f'<td class="small">{_e(score.detail)}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e


def mme_lines(lines) -> str:
    """The opioid table's body rows (intake.scoring.compute_mme's lines)."""
    out = [
        f"<tr><td>{_e(line.label)}</td><td>{_e(line.daily_dose or '—')} {_e(line.unit)}</td>"
        f"<td>{_e(line.factor or '—')}</td><td>{_e(line.mme or '—')}</td>"
        f'<td class="small">{_e(line.note)}</td></tr>'
        for line in lines
    ]
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e


def history(events) -> str:
    """The history's list items (intake.history.visible_events: only what the reader may
    see is in them)."""
    if not events:
        return mark_safe('<li class="list-group-item">No history yet.</li>')
    stamp = _Stamps()
    out = []
    for event in events:
        status = f": {_e(event.from_status)} → {_e(event.to_status)}" if event.to_status else ""
        text = f"<br>{_lines(event.text)}" if event.text else ""
        out.append(
            f'<li class="list-group-item"><span class="text-body-secondary">{stamp(event.when)}'
            f"</span> · {_e(event.who)}<br>\n<strong>{_e(event.kind)}</strong>{status}{text}</li>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e


def viewers(events) -> str:
    """Who viewed the record: the list items (clinic.audit.selectors.recent_viewers)."""
    if not events:
        return mark_safe('<li class="list-group-item">Nobody yet.</li>')
    stamp = _Stamps()
    out = [
        f'<li class="list-group-item"><span class="text-body-secondary">{stamp(event.occurred_at)}'
        f"</span> · {_e(event.actor or event.actor_label)} ({_e(event.actor_role or 'no role')})"
        f"<br>\n{_e(event.action_label)}: {_e(event.page_label)}</li>\n"
        for event in events
    ]
    return mark_safe("".join(out))  # noqa: S308 - every value above went through _e
