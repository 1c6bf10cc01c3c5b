"""The clinic settings area: one home, services that record each change, two tabs that
never silently undo each other, and version numbers that stay consecutive under load."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from clinic.core import settings_services
from clinic.core.merge import Conflict, merge_fields
from clinic.core.models import ClinicSettings, SettingsChange
from clinic.core.settings_forms import loaded_token, posted_loaded
from intake import settings_services as intake_settings
from intake.models import ConsentText, ScreeningPolicy
from intake.screening import RULES
from tests.conftest import make_user

OVERVIEW = reverse("clinic_settings:overview")
WINDOW = reverse("clinic_settings:cancellation_window")
REMINDERS = reverse("clinic_settings:reminders")
POLICY = reverse("clinic_settings:screening_policy")
CONSENT = reverse("clinic_settings:consent_text")
PAGES = [OVERVIEW, WINDOW, REMINDERS, POLICY, CONSENT]

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it)"
)


# --------------------------------------------------------------------------- merge (pure)


def test_a_field_this_form_did_not_change_keeps_the_newer_stored_value():
    merged, conflicts = merge_fields(
        base={"a": 1, "b": 1}, mine={"a": 1, "b": 2}, current={"a": 5, "b": 1}
    )
    assert merged == {"a": 5, "b": 2} and conflicts == []


def test_both_changing_one_field_differently_is_a_conflict_with_both_values():
    _, conflicts = merge_fields(base={"a": 1}, mine={"a": 2}, current={"a": 3})
    assert conflicts == [Conflict("a", 2, 3)]


def test_both_changing_one_field_to_the_same_value_is_no_conflict():
    merged, conflicts = merge_fields(base={"a": 1}, mine={"a": 2}, current={"a": 2})
    assert merged == {"a": 2} and conflicts == []


def test_without_a_base_the_form_wins_and_unposted_fields_stay():
    merged, conflicts = merge_fields(base=None, mine={"a": 2}, current={"a": 3, "b": 4})
    assert merged == {"a": 2, "b": 4} and conflicts == []


def test_a_tampered_loaded_token_is_ignored():
    token = loaded_token({"a": 1})
    assert posted_loaded({"loaded": token}) == {"a": 1}
    assert posted_loaded({"loaded": token[:-2] + "xx"}) is None
    assert posted_loaded({"loaded": "\x00" * 50}) is None
    assert posted_loaded({}) is None


# --------------------------------------------------------------------------- one home


@pytest.mark.parametrize("url", PAGES)
def test_every_settings_page_is_for_clinic_admins_only(client, login, people, url):
    # The screening policy is clinical: clinicians edit it too (edit_screening_policy).
    editors = {"clinic_admin", "clinician"} if url == POLICY else {"clinic_admin"}
    assert client.get(url).status_code == 302
    for role, user in people.items():
        expected = 200 if role in editors else 403
        assert login(user).get(url).status_code == expected, role


def test_overview_shows_each_section_with_its_current_value_and_links(login, clinic_admin):
    html = login(clinic_admin).get(OVERVIEW).content.decode()
    for url in (WINDOW, REMINDERS, POLICY, CONSENT):
        assert f'href="{url}"' in html
    assert "24 hours" in html
    assert "72 h (email), 24 h (email + SMS), 2 h (SMS)" in html
    assert f"Version <strong>{ConsentText.current().version}</strong>" in html


def test_main_nav_has_one_clinic_settings_entry_for_clinic_admins(login, clinic_admin, coordinator):
    html = login(clinic_admin).get(reverse("staff:dashboard")).content.decode()
    assert html.count(f'href="{OVERVIEW}"') >= 1 and ">Clinic settings</a>" in html
    html = login(coordinator).get(reverse("staff:dashboard")).content.decode()
    assert f'href="{OVERVIEW}"' not in html


def test_each_section_page_shows_the_settings_sub_navigation(login, clinic_admin):
    client = login(clinic_admin)
    for url in PAGES:
        html = client.get(url).content.decode()
        assert 'aria-label="Clinic settings pages"' in html
        assert all(f'href="{other}"' in html for other in PAGES)


# --------------------------------------------------------------------------- history


def test_saving_records_who_when_and_old_and_new_values(login, clinic_admin):
    login(clinic_admin).post(WINDOW, {"cancellation_window_hours": "48"})
    change = SettingsChange.objects.get()
    assert change.section == SettingsChange.Section.CANCELLATION_WINDOW
    assert change.changed_by == clinic_admin and change.changed_at is not None
    assert change.changes == {"Cancellation window (hours)": {"old": "24", "new": "48"}}


def test_overview_lists_the_recent_changes(login, clinic_admin, clinician):
    client = login(clinic_admin)
    client.post(WINDOW, {"cancellation_window_hours": "48"})
    settings_services.update_reminder_settings(
        offsets=[{"hours": 24, "channels": ["email"]}], on_call=[clinician], actor=clinic_admin
    )
    html = client.get(OVERVIEW).content.decode()
    assert "Cancellation window (hours): 24 → 48" in html
    assert "On-call clinicians: nobody → Morgan Lee" in html
    assert str(clinic_admin) in html


def test_a_save_that_changes_nothing_records_nothing_and_makes_no_version(clinic_admin):
    settings_services.update_cancellation_window(hours=24, actor=clinic_admin)
    consent = ConsentText.current()
    same = intake_settings.publish_consent_text(
        title=consent.title, body=consent.body, author=clinic_admin
    )
    assert same is None and ConsentText.current() == consent
    assert not SettingsChange.objects.exists()


def test_policy_and_consent_publishing_record_their_changes(clinic_admin):
    intake_settings.publish_screening_policy(
        severities={"glaucoma": "stop"}, pcptsd_cutoff=4, author=clinic_admin, reason="Policy"
    )
    intake_settings.publish_consent_text(title="Consent", body="New words", author=clinic_admin)
    sections = set(SettingsChange.objects.values_list("section", flat=True))
    assert sections == {"screening_policy", "consent_text"}
    policy_change = SettingsChange.objects.get(section="screening_policy").changes
    assert policy_change["PC-PTSD-5 positive at"] == {"old": "3", "new": "4"}


# --------------------------------------------------------------------------- two tabs


def _loaded(client, url):
    return client.get(url).context["loaded"]


def test_two_tabs_a_stale_tab_that_changes_the_same_field_is_refused_with_both_values(
    login, clinic_admin
):
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, WINDOW), _loaded(client, WINDOW)
    client.post(WINDOW, {"cancellation_window_hours": "48", "loaded": tab1})
    response = client.post(WINDOW, {"cancellation_window_hours": "12", "loaded": tab2})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html and "“12”" in html and "“48”" in html
    assert response.context["form"]["cancellation_window_hours"].value() == "12"
    assert ClinicSettings.load().cancellation_window_hours == 48
    # Having seen both values, saving again keeps what the form shows.
    again = client.post(
        WINDOW, {"cancellation_window_hours": "12", "loaded": response.context["loaded"]}
    )
    assert again.status_code == 302 and ClinicSettings.load().cancellation_window_hours == 12


def test_two_tabs_a_stale_tab_that_did_not_touch_a_field_keeps_the_newer_value(login, clinic_admin):
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, WINDOW), _loaded(client, WINDOW)
    client.post(WINDOW, {"cancellation_window_hours": "48", "loaded": tab1})
    response = client.post(WINDOW, {"cancellation_window_hours": "24", "loaded": tab2})
    assert response.status_code == 302
    assert ClinicSettings.load().cancellation_window_hours == 48


def _reminder_post(rows, on_call, loaded):
    data = {
        "offsets-TOTAL_FORMS": str(len(rows)),
        "offsets-INITIAL_FORMS": str(len(rows)),
        "offsets-MIN_NUM_FORMS": "0",
        "offsets-MAX_NUM_FORMS": "10",
        "on_call": [str(pk) for pk in on_call],
        "loaded": loaded,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"offsets-{i}-{key}"] = value
    return data


DEFAULT_ROWS = [
    {"hours": "72", "email": "on"},
    {"hours": "24", "email": "on", "sms": "on"},
    {"hours": "2", "sms": "on"},
]


def test_two_tabs_on_reminders_each_keeps_what_the_other_changed(login, clinic_admin, clinician):
    other = make_user("patel@clinic.example", "clinician", "Priya", "Patel")
    settings_services.update_reminder_settings(
        offsets=ClinicSettings.load().reminder_offsets, on_call=[clinician], actor=clinic_admin
    )
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, REMINDERS), _loaded(client, REMINDERS)
    response = client.post(REMINDERS, _reminder_post(DEFAULT_ROWS, [other.pk], tab1))
    assert response.status_code == 302
    # Tab 2 still shows the old on-call list, and changes only the reminder times.
    rows = [*DEFAULT_ROWS[:2], {"hours": "3", "sms": "on"}]
    assert client.post(REMINDERS, _reminder_post(rows, [clinician.pk], tab2)).status_code == 302
    row = ClinicSettings.load()
    assert [o["hours"] for o in row.reminder_offsets] == [72, 24, 3]
    assert list(row.on_call_clinicians.all()) == [other]


def _preview_and_save(client, data):
    """The policy page's two steps: check the effect, then save with a reason."""
    previewed = client.post(POLICY, {**data, "action": "preview"}).context["previewed"]
    return client.post(
        POLICY, {**data, "action": "save", "previewed": previewed, "reason": "Two tabs"}
    )


def test_two_tabs_on_the_policy_keep_both_rules_changed(login, clinic_admin):
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, POLICY), _loaded(client, POLICY)
    defaults = {f"sev_{r.code}": r.default_severity for r in RULES if r.editable}
    defaults["pcptsd_cutoff"] = "3"
    _preview_and_save(client, {**defaults, "sev_glaucoma": "caution", "loaded": tab1})
    response = _preview_and_save(client, {**defaults, "pcptsd_cutoff": "4", "loaded": tab2})
    assert response.status_code == 302
    policy = ScreeningPolicy.current()
    assert policy.version == 2 and policy.severities["glaucoma"] == "caution"
    assert policy.pcptsd_cutoff == 4


def test_two_tabs_on_the_consent_text_never_drop_either_wording_silently(login, clinic_admin):
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, CONSENT), _loaded(client, CONSENT)
    title = ConsentText.current().title
    client.post(CONSENT, {"title": title, "body": "Wording from tab one", "loaded": tab1})
    response = client.post(
        CONSENT, {"title": title, "body": "Wording from tab two", "loaded": tab2}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wording from tab one" in html and "Wording from tab two" in html
    assert ConsentText.current().body == "Wording from tab one"


def test_a_form_with_errors_keeps_the_token_it_was_loaded_with(login, clinic_admin):
    client = login(clinic_admin)
    tab1, tab2 = _loaded(client, WINDOW), _loaded(client, WINDOW)
    client.post(WINDOW, {"cancellation_window_hours": "48", "loaded": tab1})
    typo = client.post(WINDOW, {"cancellation_window_hours": "1x", "loaded": tab2})
    assert typo.context["loaded"] == tab2
    fixed = client.post(WINDOW, {"cancellation_window_hours": "12", "loaded": tab2})
    assert fixed.status_code == 200 and ClinicSettings.load().cancellation_window_hours == 48


# --------------------------------------------------------------------------- concurrency


def _at_once(n, work):
    barrier, errors = threading.Barrier(n), []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as error:  # noqa: BLE001 - the test counts every failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_consent_publishing_gives_consecutive_versions_and_no_error():
    admin = make_user("admin2@clinic.example", "clinic_admin")
    start = ConsentText.current().version
    errors = _at_once(
        6,
        lambda i: intake_settings.publish_consent_text(
            title="Consent", body=f"Wording {i}", author=admin
        ),
    )
    assert errors == []
    versions = ConsentText.objects.filter(version__gt=start).values_list("version", flat=True)
    assert sorted(versions) == list(range(start + 1, start + 7))


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_policy_publishing_gives_consecutive_versions_and_no_error():
    admin = make_user("admin2@clinic.example", "clinic_admin")
    # Each thread changes a different rule, so every publish is a real change.
    codes = [r.code for r in RULES if r.editable and r.default_severity != "info"][:6]
    errors = _at_once(
        6,
        lambda i: intake_settings.publish_screening_policy(
            severities={codes[i]: "info"}, pcptsd_cutoff=3, author=admin, reason=f"Change {i}"
        ),
    )
    assert errors == []
    versions = list(ScreeningPolicy.objects.order_by("version").values_list("version", flat=True))
    assert versions == [1, 2, 3, 4, 5, 6]
    # Later versions carry every earlier change: no publish undid another.
    assert all(ScreeningPolicy.current().severities[code] == "info" for code in codes)
