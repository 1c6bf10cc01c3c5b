"""The screening policy is clinical: clinicians change it, see first how many open intakes
it would move to another triage level, and save it only with a reason."""

import pytest
from django.urls import reverse

from clinic.audit.models import AuditEvent
from clinic.core.models import SettingsChange
from intake import demo, settings_services
from intake.models import Intake, ScreeningPolicy
from intake.policy_preview import Preview, Shift, count_shifts
from intake.screening import RULES, Triage

URL = reverse("clinic_settings:screening_policy")
DEFAULTS = {f"sev_{r.code}": r.default_severity for r in RULES if r.editable}
BP_CAUTION = {**DEFAULTS, "sev_uncontrolled_hypertension": "caution", "pcptsd_cutoff": "3"}


@pytest.fixture
def stop_intake(other_patient):
    """Charlie's submitted intake stops on uncontrolled blood pressure."""
    answers = {**demo.NO_OPIOIDS_METRIC, "high_blood_pressure": "yes", "bp_controlled": "no"}
    intake = demo.seed_intake(patient=other_patient, answers=answers, submit=True)
    assert intake.triage == Triage.STOP
    return intake


@pytest.fixture
def in_progress(patient):
    answers = {**demo.NO_OPIOIDS_METRIC, "high_blood_pressure": "yes", "bp_controlled": "no"}
    return demo.seed_intake(patient=patient, answers=answers, submit=False)


def test_count_shifts_counts_only_intakes_that_move_and_says_where_to():
    S, R, C = Triage.STOP, Triage.REVIEW, Triage.CLEAR
    preview = count_shifts([(S, R), (S, R), (R, R), (C, S), (C, C)])
    assert preview == Preview(
        open_intakes=5,
        changed=3,
        shifts=(Shift(C.label, S.label, 1), Shift(S.label, R.label, 2)),
    )


def test_count_shifts_of_nothing_is_nothing():
    assert count_shifts([]) == Preview(0, 0, ())


def _preview(client, data):
    return client.post(URL, {**data, "action": "preview"})


def test_clinician_sees_how_many_open_intakes_would_change_before_anything_is_saved(
    login, clinician, stop_intake, in_progress
):
    response = _preview(login(clinician), BP_CAUTION)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.open_intakes, preview.changed) == (1, 1)  # the draft is not screened
    assert preview.shifts[0].before == Triage.STOP.label
    html = response.content.decode()
    assert "1 of 1</strong> open intake would change triage" in html
    assert "Save as a new version" in html
    assert not ScreeningPolicy.objects.exists()
    assert Intake.objects.get(pk=stop_intake.pk).triage == Triage.STOP


def test_saving_needs_a_reason_and_keeps_the_choices_and_the_preview(login, clinician, stop_intake):
    client = login(clinician)
    previewed = _preview(client, BP_CAUTION).context["previewed"]
    response = client.post(URL, {**BP_CAUTION, "action": "save", "previewed": previewed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why the policy changes before saving it." in html
    assert response.context["preview"].changed == 1
    assert response.context["form"]["sev_uncontrolled_hypertension"].value() == "caution"
    assert not ScreeningPolicy.objects.exists()


def test_clinician_saves_the_previewed_policy_with_a_reason_recorded_everywhere(
    login, clinician, stop_intake, django_capture_on_commit_callbacks
):
    client = login(clinician)
    previewed = _preview(client, BP_CAUTION).context["previewed"]
    reason = "Medical director: home readings are unreliable; review BP at consultation"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {**BP_CAUTION, "action": "save", "previewed": previewed, "reason": reason}
        )
    assert response.status_code == 302
    row = ScreeningPolicy.current()
    assert row.severities["uncontrolled_hypertension"] == "caution"
    assert (row.reason, row.created_by) == (reason, clinician)
    assert SettingsChange.objects.filter(section="screening_policy", changed_by=clinician).exists()
    audit = AuditEvent.objects.get(action="screening_policy_changed")
    assert audit.actor_id == clinician.pk and audit.detail["reason"] == reason
    assert Intake.objects.get(pk=stop_intake.pk).triage != Triage.STOP  # re-screened
    assert reason in client.get(URL).content.decode()  # the versions list says why


def test_choices_changed_after_the_preview_are_previewed_again_not_saved(login, clinician):
    client = login(clinician)
    previewed = _preview(client, BP_CAUTION).context["previewed"]
    changed = {**BP_CAUTION, "sev_pregnancy": "caution"}
    response = client.post(
        URL, {**changed, "action": "save", "previewed": previewed, "reason": "Why"}
    )
    assert response.status_code == 200 and "preview" in response.context
    assert not ScreeningPolicy.objects.exists()


def test_a_forged_preview_token_saves_nothing(login, clinician):
    response = login(clinician).post(
        URL, {**BP_CAUTION, "action": "save", "previewed": "forged", "reason": "Why"}
    )
    assert response.status_code == 200
    assert not ScreeningPolicy.objects.exists()


def test_the_service_refuses_a_change_without_a_reason(clinician):
    with pytest.raises(settings_services.ReasonMissing):
        settings_services.publish_screening_policy(
            severities={"glaucoma": "stop"}, pcptsd_cutoff=3, author=clinician, reason=" "
        )
    assert not ScreeningPolicy.objects.exists()


def test_clinicians_reach_the_policy_from_the_menu_but_not_the_other_settings(login, clinician):
    client = login(clinician)
    html = client.get(reverse("staff:dashboard")).content.decode()
    assert f'href="{URL}"' in html
    page = client.get(URL).content.decode()
    assert 'aria-label="Clinic settings pages"' not in page
    assert client.get(reverse("clinic_settings:overview")).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "patient"])
def test_coordinators_and_patients_cannot_change_the_policy(login, people, role):
    client = login(people[role])
    assert client.get(URL).status_code == 403
    assert _preview(client, BP_CAUTION).status_code == 403
