"""The parts of the page frame that are the same for everyone holding the same
permissions, drawn once a process and reused (issue 15): `{% nav_links %}` (the menu's
links: a dozen `reverse()` calls and permission checks a page) and `{% cached_static "path"
%}` (a `{% static %}` URL, which the storage builds anew each time).

Nothing about the person is kept beyond which of the menu's permissions they hold; their
name and the log-out form's token stay in nav.html, per request.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe

register = template.Library()

# The permissions the menu asks about (templates/includes/_nav_links.html), by codename.
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
        if len(cache) >= _MAX:
            cache.clear()
        html = cache[key] = render()
    return html


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The menu's links for the page's user (none for someone not logged in)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    if user.is_active and user.is_superuser:  # has_perm's own rule: every permission
        held = frozenset(NAV_PERMISSIONS)
    else:  # read once, not through every backend for each link (user.has_perm)
        mine = user.get_all_permissions()
        held = frozenset(c for c in NAV_PERMISSIONS if f"accounts.{c}" in mine)
    # The URLs the links point at depend on where the site is mounted and its URLconf.
    key = (held, user.is_staff, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    def render():
        may = dict.fromkeys(held, True)
        return render_to_string(
            "includes/_nav_links.html", {"may": may, "django_admin": user.is_staff}
        )

    return mark_safe(_remember(_NAV, key, render))  # noqa: S308 - our template's output


@register.simple_tag
def cached_static(path: str) -> str:
    """`{% static path %}`, built once a process."""
    return _remember(_STATIC, path, lambda: static(path))
