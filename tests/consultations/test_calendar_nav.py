# ruff: noqa: E501 - the template it replaced, line for line
"""{% calendar_nav %}: the calendar pages' tabs, as the template they replace drew them."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from consultations.calendar_views import Filters

pytestmark = pytest.mark.django_db

# The include the tag replaced (consultations/staff/_calendar_nav.html), as it was.
_BEFORE = Template(
    """<nav aria-label="Calendar pages" class="mb-3 no-print">
  <ul class="nav nav-tabs small">
    {% url 'schedule:today' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}">Today</a></li>
    {% url 'schedule:day' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}{% if filters %}{{ filters.query }}{% endif %}">Day</a></li>
    {% url 'schedule:week' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}{% if filters %}{{ filters.query }}{% endif %}">Week</a></li>
    {% url 'schedule:search' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}">Find a patient</a></li>
    {% url 'schedule:patients' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}">Book for a patient</a></li>
    {% url 'schedule:boosters' as u %}<li class="nav-item"><a class="nav-link{% if request.path == u %} active{% endif %}"{% if request.path == u %} aria-current="page"{% endif %} href="{{ u }}">Boosters to offer</a></li>
  </ul>
</nav>"""
)
_NOW = Template("{% load calendar_cells %}{% calendar_nav %}")


def _same_spacing(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("page", ["today", "day", "week", "search", "patients", "boosters", "home"])
@pytest.mark.parametrize("with_filters", [False, True])
def test_the_tabs_are_what_the_template_drew_the_current_one_marked(page, with_filters, provider):
    path = reverse(f"schedule:{page}")
    filters = None
    if with_filters:
        filters = Filters(provider=provider, day=dt.date(2026, 12, 14), cancelled=True)
    context = {"request": RequestFactory().get(path), "filters": filters}
    now = _NOW.render(Context(context))
    assert _same_spacing(now) == _same_spacing(_BEFORE.render(Context(context)))
    assert now.count('aria-current="page"') == (page != "home")
    if with_filters:
        assert f"?date=2026-12-14&amp;provider={provider.pk}&amp;cancelled=on" in now
