"""The parts of the page frame that are the same for everyone holding the same menu
permissions, drawn once a process and reused (issue 15): `{% page_nav %}` (the header and
its menu: a dozen `reverse()` calls, permission checks and some sixty template nodes a
page) and `{% cached_static "path" %}` (a `{% static %}` URL, which the storage builds
anew each time).

Nothing about the person is kept beyond which of the menu's permissions they hold: their
short name and the log-out form's CSRF token go into holes in the kept HTML per request.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# The permissions the menu asks about (templates/includes/nav.html), by codename.
NAV_PERMISSIONS = (
    "use_patient_portal",
    "view_staff_dashboard",
    "manage_bookings",
    "view_clinical_answers",
    "manage_schedules",
    "manage_clinic_settings",
    "edit_screening_policy",
    "manage_staff",
)
_MAX = 256  # a few roles, with or without Django admin: far fewer in practice
_NAV: dict = {}
_STATIC: dict = {}


@receiver(setting_changed)
def _forget(**kwargs):
    """A test that changes the URLs or the static files' storage gets fresh HTML."""
    _NAV.clear()
    _STATIC.clear()


def _remember(cache: dict, key, render):
    html = cache.get(key)
    if html is None:
        if len(cache) >= _MAX:  # the oldest goes, not every page frame kept so far
            cache.pop(next(iter(cache)), None)
        html = cache[key] = render()
    return html


# Holes in the kept HTML, filled in per request. Escaped text never holds a "<", so a
# name cannot put a hole of its own into the page.
_NAME = mark_safe("<!--nav:name-->")  # noqa: S308 - a constant
_CSRF = mark_safe("<!--nav:csrf-->")  # noqa: S308 - a constant


@register.simple_tag(takes_context=True)
def page_nav(context):
    """includes/nav.html for the page's user: kept per set of menu permissions, with their
    short name and the log-out form's token put in on the way out."""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        held, django_admin = frozenset(), False
    elif user.is_active and user.is_superuser:  # has_perm's own rule: every permission
        held, django_admin = frozenset(NAV_PERMISSIONS), user.is_staff
    else:  # read once, not through every backend for each link (user.has_perm)
        mine = user.get_all_permissions()
        held = frozenset(c for c in NAV_PERMISSIONS if f"accounts.{c}" in mine)
        django_admin = user.is_staff
    clinic = context.get("clinic")
    # The URLs the links point at depend on where the site is mounted and its URLconf.
    urls = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    key = (signed_in, held, django_admin, urls, clinic and clinic.get("name"))

    def render():
        return render_to_string(
            "includes/nav.html",
            {
                "may": dict.fromkeys(held, True),
                "django_admin": django_admin,
                "signed_in": signed_in,
                "clinic": clinic,
                "short_name": _NAME,
                "csrf_input": _CSRF,
            },
        )

    html = _remember(_NAV, key, render)
    if signed_in:
        html = html.replace(_NAME, conditional_escape(user.get_short_name()), 1)
        html = html.replace(_CSRF, CsrfTokenNode().render(context), 1)
    return mark_safe(html)  # noqa: S308 - our template's output, the name escaped


@register.simple_tag
def cached_static(path: str) -> str:
    """`{% static path %}`, built once a process."""
    return _remember(_STATIC, path, lambda: static(path))
