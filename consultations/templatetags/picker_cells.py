"""`{% month_tables months weekday_names choice staff %}`: the booking page's month grid.

Three months of day cells, each a link with its count of free times, a closed day or a day
off, every one named with its full date for screen readers: as template code that was most
of the booking page's rendering, so the tables are written here, as book.html describes.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import dates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def month_tables(months, weekday_names, choice, staff):
    weekdays = [str(dates.WEEKDAYS[i]) for i in range(7)]  # as the date filter's "l"
    month_names = {i: str(name) for i, name in dates.MONTHS.items()}  # its "F"
    link = format_html(
        "?type={}&amp;mode={}&amp;provider={}&amp;date=",
        choice.type.pk,
        choice.mode,
        choice.provider,
    )
    suits = ", a day that suits the patient" if staff else ", a day that suits you"
    head = format_html_join(
        "",
        '<th scope="col" abbr="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></th>',
        ((full, short, full) for short, full in weekday_names),
    )
    out = []
    for month in months:
        out.append(
            format_html(
                '\n<table class="month">\n<caption>{}</caption>\n<thead><tr>{}</tr></thead>\n'
                "<tbody>\n",
                date_filter(month.first, "F Y"),
                head,
            )
        )
        for week in month.weeks:
            out.append("<tr>\n")
            for cell in week:
                out.append(_cell(cell, weekdays, month_names, link, suits))
            out.append("\n</tr>")
        out.append("\n</tbody>\n</table>\n")
    return mark_safe("".join(out))  # noqa: S308 - every piece is format_html's


def _cell(cell, weekdays, month_names, link, suits) -> str:
    day = cell.date
    if day is None:
        return "<td></td>"
    named = f"{weekdays[day.weekday()]}, {month_names[day.month]}"
    if cell.times:
        return format_html(
            '<td>\n<a class="day btn {}{}" href="{}{}#times-h"{}><span class="visually-hidden">'
            '{} </span>{}<span class="visually-hidden">:</span> <span class="count">{}'
            '<span class="visually-hidden"> time{}{}</span></span></a>\n</td>',
            "btn-primary" if cell.selected else "btn-outline-primary",
            " suits" if cell.suggested else "",
            link,
            day.isoformat(),
            mark_safe(' aria-current="date"') if cell.selected else "",
            named,
            day.day,
            cell.times,
            "" if cell.times == 1 else "s",
            suits if cell.suggested else "",
        )
    if cell.closed:
        return format_html(
            '<td>\n<span class="day day-closed"><span aria-hidden="true">{}<span class="count">'
            'closed</span></span><span class="visually-hidden">{} {}: closed ({})</span></span>'
            "\n</td>",
            day.day,
            named,
            day.day,
            cell.closed,
        )
    return format_html(
        '<td>\n<span class="day day-off"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{} {}: {}</span></span>\n</td>',
        day.day,
        named,
        day.day,
        "no free times" if cell.in_window else "not bookable online",
    )
