"""The booking page's month grid (`{% month_tables months weekday_names choice staff %}`),
its time buttons (`{% time_buttons buttons %}`) and clinician options
(`{% provider_options providers choice %}`).

Three months of day cells, each a link with its count of free times, a closed day or a day
off, every one named with its full date for screen readers, and a button for each free
time: as template code that was most of the booking page's rendering, so they are written
here, as book.html describes.
"""

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import dates
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clinic.core.html import e

register = template.Library()
_NO_CSRF = "NOTPROVIDED"  # what the csrf context processor gives with no request
_CURRENT = ' aria-current="date"'


@register.simple_tag
def month_tables(months, weekday_names, choice, staff):
    # Cells as f-strings, every text escaped once here (names) or in the cell (a closure's
    # name): format_html escaped each of a cell's ten values, for some 90 cells a page.
    weekdays, month_names = _day_names(get_language())
    link = (
        f"?type={e(choice.type.pk)}&amp;mode={e(choice.mode)}"
        f"&amp;provider={e(choice.provider)}&amp;date="
    )
    suits = ", a day that suits the patient" if staff else ", a day that suits you"
    head = "".join(
        f'<th scope="col" abbr="{e(full)}"><span aria-hidden="true">{e(short)}</span>'
        f'<span class="visually-hidden">{e(full)}</span></th>'
        for short, full in weekday_names
    )
    out = []
    for month in months:
        out.append(
            f'\n<table class="month">\n<caption>{month_names[month.first.month]} '
            f"{month.first.year:04d}"  # the date filter's "F Y"
            f"</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        )
        for week in month.weeks:
            out.append("<tr>\n")
            for cell in week:
                out.append(_cell(cell, weekdays, month_names, link, suits))
            out.append("\n</tr>")
        out.append("\n</tbody>\n</table>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@lru_cache(maxsize=16)
def _day_names(language: str | None) -> tuple[list[str], dict[int, str]]:
    """The weekdays and months as the date filter's "l" and "F" name them, escaped: once
    a process for each language (the names are translations)."""
    weekdays = [e(dates.WEEKDAYS[i]) for i in range(7)]
    return weekdays, {i: e(name) for i, name in dates.MONTHS.items()}


def _cell(cell, weekdays, month_names, link, suits) -> str:
    """One day: `weekdays`, `month_names` and `link` come escaped."""
    day = cell.date
    if day is None:
        return "<td></td>"
    named = f"{weekdays[day.weekday()]}, {month_names[day.month]}"
    if cell.times:
        style = "btn-primary" if cell.selected else "btn-outline-primary"
        return (
            f'<td>\n<a class="day btn {style}{" suits" if cell.suggested else ""}" '
            f'href="{link}{day.isoformat()}#times-h"'
            f"{_CURRENT if cell.selected else ''}>"
            f'<span class="visually-hidden">{named} </span>{day.day:d}'
            f'<span class="visually-hidden">:</span> <span class="count">{cell.times:d}'
            f'<span class="visually-hidden"> time{"" if cell.times == 1 else "s"}'
            f"{suits if cell.suggested else ''}</span></span></a>\n</td>"
        )
    if cell.closed:
        return (
            f'<td>\n<span class="day day-closed"><span aria-hidden="true">{day.day:d}'
            f'<span class="count">closed</span></span><span class="visually-hidden">{named} '
            f"{day.day:d}: closed ({e(cell.closed)})</span></span>\n</td>"
        )
    return (
        f'<td>\n<span class="day day-off"><span aria-hidden="true">{day.day:d}</span>'
        f'<span class="visually-hidden">{named} {day.day:d}: '
        f"{'no free times' if cell.in_window else 'not bookable online'}</span></span>\n</td>"
    )


@register.simple_tag(takes_context=True)
def time_buttons(context, buttons, with_days=False):
    """`{% time_buttons buttons %}`: one link (booking) or form (moving) a time.

    As f-strings, every value escaped: the times page has dozens of them, and as an
    included template each cost more than the rest of the page. `with_days`: `buttons`
    are (day, button) pairs ("Suggested for you" spans days), each named with its day.
    """
    pairs = buttons if with_days else ((None, button) for button in buttons)
    moving = context.get("moving")
    if moving:
        target = e(context.get("move_url") or reverse("consultations:reschedule", args=[moving.pk]))
        given = context.get("csrf_token")  # as {% csrf_token %} reads it
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(given)}">'
            if given and given != _NO_CSRF
            else ""
        )
    else:
        choice = context["choice"]
        target = e(context.get("confirm_url") or reverse("consultations:confirm"))
        query = f"?type={e(choice.type.pk)}&amp;mode={e(choice.mode)}&amp;provider="
    out = []
    named: dict[str, str] = {}  # each clinician's name escaped once a call
    for day, button in pairs:
        slot = button.slot
        text = f"{e(_short_date(day))}, " if day is not None else ""
        text += e(button.label)
        if name := button.provider_name:
            if name not in named:
                named[name] = f' <span class="small">· {e(name)}</span>'
            text += named[name]
        if button.inside_notice:
            text += ' <span class="small">· inside notice</span>'
        start = slot.start.isoformat()
        if moving:
            out.append(
                f'<form method="post" action="{target}">{csrf}\n'
                f'<input type="hidden" name="start" value="{e(start)}">'
                f'<input type="hidden" name="provider" value="{slot.provider_id:d}">\n'
                f'<button class="btn btn-outline-primary">{text}</button></form>\n'
            )
        else:
            style = (
                "btn-outline-warning text-body" if button.inside_notice else "btn-outline-primary"
            )
            out.append(
                f'<a class="btn {style}" href="{target}{query}{slot.provider_id:d}'
                f'&amp;start={_query_value(start)}">{text}</a>\n'
            )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _short_date(day) -> str:
    """As the date filter's "D, M j" ("Tue, Dec 8"), from the same names."""
    return f"{dates.WEEKDAYS_ABBR[day.weekday()]}, {dates.MONTHS_3[day.month].title()} {day.day}"


_ISO = frozenset("0123456789-T:+.")


def _query_value(iso: str) -> str:
    """A time's isoformat() as quote(iso, safe="/") gives it, escaped: its only characters
    are digits and "-T:+.", of which ":" and "+" are quoted, and none needs escaping."""
    if not _ISO.issuperset(iso):
        return e(quote(iso, safe="/"))
    return iso.replace(":", "%3A").replace("+", "%2B")


@register.simple_tag
def provider_options(providers, choice):
    """`{% provider_options providers choice %}`: an <option> a clinician, the chosen one
    selected; names escaped (one loop of template tags a clinician, every page)."""
    return mark_safe(  # noqa: S308 - the name is escaped, the id is an int
        "".join(
            f'<option value="{p.pk:d}"{" selected" if choice.provider == str(p.pk) else ""}>'
            f"{e(p.display_name)}</option>"
            for p in providers
        )
    )
