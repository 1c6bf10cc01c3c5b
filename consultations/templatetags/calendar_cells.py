"""`{% grid_body grid week %}`: the rows of the staff calendar's time grid (_grid.html),
and `{% week_entries entries filters %}`: one day's list items on the week page.

A week draws about two thousand cells and a few hundred appointments, twice; as template
code that was most of the page's time, so they are written here, as the templates say.
"""

from django import template
from django.template.defaultfilters import time as time_filter
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from .appointment_actions import appointment_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def grid_body(context, grid, week=False):
    search = reverse("schedule:search")
    out = []
    for row in grid.rows:
        start = template_localtime(row.start)
        if row.on_the_hour:
            when = conditional_escape(time_filter(start, "g A"))
        else:
            when = format_html(
                '<span class="visually-hidden">{}</span>', time_filter(start, "g:i A")
            )
        out.append(
            format_html(
                '\n<tr class="{}">\n<th scope="row" class="cal-time">{}</th>\n',
                "cal-hour" if row.on_the_hour else "",
                when,
            )
        )
        for cell in row.cells:
            if cell:
                out.append(_cell(context, cell, week, search))
        out.append("\n</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every piece is format_html's or escaped


def _cell(context, cell, week, search) -> str:
    head = format_html(
        '\n<td rowspan="{}" class="cal-{}{}">\n',
        cell.rows,
        cell.kind,
        " cal-full" if cell.full else "",
    )
    if cell.kind == "busy":
        body = "".join(_appointment(context, e, week, search) for e in cell.entries)
    elif cell.kind == "chairs":
        if cell.used:
            body = format_html(
                '<span class="cal-chairs-count">{}/{}</span><span class="visually-hidden">'
                " chairs in use</span>{}",
                cell.used,
                cell.capacity,
                mark_safe(' <span class="cal-chairs-full">full</span>') if cell.full else "",
            )
        else:
            body = '<span class="visually-hidden">No chairs in use</span>'
    elif cell.kind == "off":
        icon = "bi-door-closed" if cell.label[:6] == "Clinic" else "bi-calendar-x"
        body = format_html(
            '<span class="cal-label"><i class="bi {}" aria-hidden="true"></i> {}</span>',
            icon,
            cell.label,
        )
    elif cell.kind == "free":
        body = '<span class="cal-label">Free</span>'
    else:
        body = format_html('<span class="visually-hidden">{}</span>', cell.label)
    return f"{head}{body}\n</td>\n"


def _appointment(context, e, week, search) -> str:
    a = e.appointment
    if week:
        when = format_html(
            '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>',
            e.start_label,
            e.when,
        )
    else:
        when = conditional_escape(e.when)
    kind = conditional_escape(str(a.appointment_type))
    if a.chair:
        kind = format_html("{} · {}", kind, a.chair.name)
    if a.mode == "telehealth":
        kind = format_html('{} · <i class="bi bi-camera-video" aria-hidden="true"></i> video', kind)
    state = ""
    if a.status != "booked":
        state = format_html('<span class="cal-appt-status">{}</span>\n', _status(a))
    return format_html(
        '\n<div class="cal-appt cal-appt-{}{}" id="appt-{}">\n'
        '<span class="cal-appt-time">{}</span>\n'
        '<a href="{}?patient={}" class="cal-appt-patient">{}</a>\n'
        '<span class="cal-appt-type">{}</span>\n'
        "{}"
        '<div class="cal-appt-actions">{}</div>\n</div>\n',
        a.status,
        " cal-appt-chair" if a.uses_chair else "",
        a.pk,
        when,
        search,
        a.patient_id,
        a.patient,
        kind,
        state,
        appointment_actions(context, a, label=f"{a.patient}, {e.when}"),
    )


_STATUS: dict[tuple[str, str], str] = {}


def _status(a) -> str:
    """_status.html for the appointment's status: a handful of values, each drawn once."""
    key = (a.status, a.get_status_display())
    if key not in _STATUS:
        _STATUS[key] = get_template("consultations/staff/_status.html").render(
            {"status": key[0], "label": key[1]}
        )
    return mark_safe(_STATUS[key])  # noqa: S308 - a template's output


@register.simple_tag(takes_context=True)
def week_entries(context, entries, filters):
    """The list items of one day on the week page (calendar_week.html)."""
    if not entries:
        return mark_safe('\n<li class="list-group-item text-body-secondary">No appointments</li>\n')
    search = reverse("schedule:search")
    out = []
    for e in entries:
        a = e.appointment
        provider = "" if filters.provider else format_html(" · {}", a.provider)
        chair = format_html(" · {}", a.chair.name) if a.chair else ""
        own = e.provider_when
        own = (
            format_html('<br><span class="text-body-secondary">Provider\'s time: {}</span>', own)
            if own
            else ""
        )
        out.append(
            format_html(
                '\n<li class="list-group-item">\n<strong>{}</strong>{}<br>\n'
                '<a href="{}?patient={}">{}</a> · {}{} · {}<br>\n{}\n'
                '<div class="mt-1">{}</div>\n{}\n</li>\n',
                e.when,
                provider,
                search,
                a.patient_id,
                a.patient,
                a.appointment_type,
                chair,
                a.get_mode_display(),
                _status(a),
                appointment_actions(context, a, label=f"{a.patient}, {e.when}"),
                own,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every piece is format_html's
