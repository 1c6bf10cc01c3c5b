"""The header is drawn once a process per set of menu permissions ({% page_nav %}): each
role still sees exactly its own links, whoever was served before them, with their own name
(escaped) and a log-out form whose token works."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from clinic.accounts.roles import Role
from clinic.core.templatetags import clinic_nav
from tests.conftest import make_user, staff_login

PATIENT = ["My portal", "My reminders", "Appointments", "Two-step login"]
EXPECTED = {
    "patient": PATIENT,
    "coordinator": ["Dashboard", "Messages", "Calendar", "Schedule"],
    "clinician": ["Dashboard", "Messages", "Calendar", "Outcomes", "Screening policy"],
    "clinic_admin": [
        "Dashboard",
        "Messages",
        "Calendar",
        "Schedule",
        "Clinic settings",
        "Clinic admin",
        "Audit trail",
        "Django admin",  # the fixture's clinic admin is_staff
    ],
}
HREFS = {
    "My portal": ("intake:portal",),
    "Dashboard": ("staff:dashboard",),
    "Outcomes": ("schedule:cohort",),
    "Screening policy": ("clinic_settings:screening_policy",),
    "Clinic settings": ("clinic_settings:overview",),
    "Audit trail": ("audit:log",),
    "Django admin": ("admin:index",),
}


def menu(html: str) -> list[tuple[str, str]]:
    """(text, href) of each link in the left-hand menu."""
    left = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="nav-link" href="([^"]*)">([^<]*)</a>', left)


def page_for(client, user):
    client.logout()
    if user is not None:
        staff_login(client, user)
    return client.get(reverse("landing"), follow=True).content.decode()


@pytest.fixture(autouse=True)
def _fresh_menus():
    clinic_nav._NAV.clear()
    yield
    clinic_nav._NAV.clear()


@pytest.mark.parametrize("order", [0, 1])
def test_each_role_sees_its_own_menu_whoever_came_first(client, people, order):
    roles = list(EXPECTED)
    if order:
        roles.reverse()
    for role in roles:
        links = menu(page_for(client, people[role]))
        assert [text for _href, text in links] == EXPECTED[role], role
        for href, text in links:
            if text in HREFS:
                assert href == reverse(*HREFS[text]), text


def test_someone_not_logged_in_has_no_menu_and_a_login_link(client, people):
    page_for(client, people["clinician"])  # a staff menu in the cache
    html = page_for(client, None)
    assert menu(html) == []
    assert f'href="{reverse("accounts:login")}">Log in</a>' in html
    assert "Dashboard" not in html


def test_a_permission_given_to_one_person_changes_their_menu_only(client, db):
    coordinator = make_user("c1@example.com", Role.COORDINATOR)
    other = make_user("c2@example.com", Role.COORDINATOR)
    coordinator.user_permissions.add(Permission.objects.get(codename="manage_staff"))
    assert "Clinic admin" in [t for _h, t in menu(page_for(client, coordinator))]
    assert [t for _h, t in menu(page_for(client, other))] == EXPECTED["coordinator"]


def test_the_menu_holds_nothing_about_the_person(client, people):
    html = page_for(client, people["clinician"])
    assert "Signed in as</span> Morgan</span>" in html  # the name, put in per request
    assert all("Morgan" not in cached for cached in clinic_nav._NAV.values())
    assert all("csrfmiddlewaretoken" not in cached for cached in clinic_nav._NAV.values())


def test_each_person_sees_their_own_name_escaped(client, db):
    first = make_user("p1@example.com", Role.PATIENT, "<script>x</script>", "One")
    second = make_user("p2@example.com", Role.PATIENT, "Bea <b>", "Two")
    html = page_for(client, first)
    assert "<script>x</script>" not in html
    assert "Signed in as</span> &lt;script&gt;x&lt;/script&gt;</span>" in html
    assert "Signed in as</span> Bea &lt;b&gt;</span>" in page_for(client, second)


def test_the_log_out_form_carries_a_working_token(db):
    user = make_user("p3@example.com", Role.PATIENT, "Pat", "Three")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    html = client.get(reverse("landing"), follow=True).content.decode()
    form = html.split(f'action="{reverse("accounts:logout")}"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
