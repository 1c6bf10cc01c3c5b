"""The review page's lists written in Python (intake/review_html.py) draw what the
templates they replaced drew, escape whatever a patient or a member of staff typed, and
keep the page's query count whatever the lists hold."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic.audit.models import AuditEvent
from intake import demo, review_html
from intake.display import answered_sections, score_rows
from intake.models import Intake, IntakeEvent, IntakeFlag
from intake.questionnaire import visible_answers
from intake.scoring import compute_mme, score_all
from intake.templatetags import review_parts
from tests.conftest import make_user

HOSTILE = "<script>x</script>"
ESCAPED = "&lt;script&gt;x&lt;/script&gt;"
# A clinician's review page: the session, the user, the second factor and the roles (every
# staff page), then the page's own. On PostgreSQL the page's reads are one round trip
# (intake/review_page.py), then the audit row and the open-alerts probe; elsewhere each of
# those reads is a statement of its own.
REVIEW_PAGE_QUERIES = {"postgresql": 7, "sqlite": 17}

# The templates these functions replaced, as they were (from staff/intake.html and
# audit/_viewers.html), in review_before/.
BEFORE = Path(__file__).parent / "review_before"


def _same(html: str) -> str:
    """Markup compared without the whitespace between tags, which no browser shows."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def _template(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def _before(name: str, **context) -> str:
    return _template((BEFORE / f"{name}.html").read_text(), **context)


@pytest.fixture
def hostile_intake(patient, clinician):
    patient.first_name = HOSTILE
    patient.save()
    answers = {
        **demo.BASE,
        "main_complaint": f"{HOSTILE}\nsecond line & more",
        "preferred_name": 'O\'Neil "Al"',
    }
    intake = demo.seed_intake(patient=patient, answers=answers, submit=True)
    now = timezone.now()
    IntakeFlag.objects.create(
        intake=intake,
        code="hostile_stop",
        title=HOSTILE,
        severity="stop",
        source=HOSTILE,
        message=HOSTILE,
        detail=HOSTILE,
        triggers=[[HOSTILE * 20, HOSTILE], ["Dose", 2.5]],
        position=90,
    )
    IntakeFlag.objects.create(
        intake=intake,
        code="hostile_cleared",
        title="Cleared one",
        severity="stop",
        source="policy",
        message="m",
        cleared_at=now,
        cleared_by=clinician,
        clear_reason=HOSTILE,
        position=91,
    )
    IntakeEvent.objects.create(
        intake=intake, actor=clinician, kind=IntakeEvent.Kind.NOTE, text=f"{HOSTILE}\r\nnext"
    )
    return intake


def test_answers_draw_what_the_answers_template_drew(hostile_intake):
    sections = answered_sections(hostile_intake.answers)
    old = _template('{% include "intake/_answers.html" with editable=False %}', sections=sections)
    new = review_html.answers(sections)
    assert _same(new) == _same(old)
    assert ESCAPED in new and HOSTILE not in new
    assert "&lt;/script&gt;<br>second line &amp; more" in new
    assert "O&#x27;Neil &quot;Al&quot;" in new


def test_flags_draw_what_the_flags_template_drew(hostile_intake, clinician):
    flags = list(hostile_intake.flags.select_related("cleared_by"))
    csrf = mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="t">')
    for may_clear in (True, False):
        old = _before(
            "flags", flags=flags, intake=hostile_intake, may_clear=may_clear, csrf_input=csrf
        )
        new = review_html.flags(
            flags,
            clear_url=lambda f: reverse("staff:clear_flag", args=[hostile_intake.pk, f.pk]),
            csrf_input=csrf,
            may_clear=may_clear,
        )
        assert _same(new) == _same(old)
        assert HOSTILE not in new and ESCAPED in new
    assert _same(review_html.flags([], clear_url=None, csrf_input="", may_clear=True)) == _same(
        _before("flags", flags=[])
    )


def test_scores_and_opioid_lines_draw_what_their_templates_drew():
    for answers in (demo.BASE, demo.FIBROMYALGIA):
        shown = visible_answers(answers)
        rows = score_rows(score_all(shown), shown)
        assert _same(review_html.scores(rows)) == _same(_before("scores", scores=rows))
        lines = compute_mme(shown.get("opioids") or []).lines
        assert _same(review_html.mme_lines(lines)) == _same(_before("mme", lines=lines))


def test_history_and_viewers_draw_what_their_templates_drew(hostile_intake, clinician, client):
    from intake.history import visible_events

    events = visible_events(hostile_intake, clinician)
    assert _same(review_html.history(events)) == _same(_before("history", events=events))
    assert "&lt;/script&gt;<br>next" in review_html.history(events)
    assert _same(review_html.history([])) == _same(_before("history", events=[]))
    viewer = make_user("v@example.com", "clinician", HOSTILE, "Viewer")
    AuditEvent.objects.create(
        actor=viewer,
        actor_role="clinician",
        action="view",
        patient=hostile_intake.patient,
        view_name="staff:intake",
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    AuditEvent.objects.create(
        actor=None, actor_label=HOSTILE, action="export", patient=hostile_intake.patient
    )
    viewers = list(
        AuditEvent.objects.filter(patient=hostile_intake.patient).select_related("actor")
    )
    new = review_html.viewers(viewers)
    assert _same(new) == _same(_before("viewers", viewers=viewers))
    assert HOSTILE not in new and ESCAPED in new
    assert _same(review_html.viewers([])) == _same(_before("viewers", viewers=[]))


def test_the_review_page_shows_hostile_text_escaped(login, clinician, hostile_intake):
    html = login(clinician).get(reverse("staff:intake", args=[hostile_intake.pk])).content.decode()
    assert HOSTILE not in html
    assert ESCAPED in html
    # The stop flag not yet cleared can be cleared; its form has the request's token.
    action = reverse(
        "staff:clear_flag",
        args=[hostile_intake.pk, hostile_intake.flags.get(code="hostile_stop").pk],
    )
    assert f'action="{action}"' in html
    assert 'name="csrfmiddlewaretoken"' in html.split(action, 1)[1].split("</form>", 1)[0]


def test_the_flag_tag_offers_clearing_to_reviewers_only(hostile_intake):
    from django.template import Context

    flags = list(hostile_intake.flags.select_related("cleared_by"))
    for reviewer in (True, False):
        context = Context({"csrf_token": "tok"})
        html = review_parts.flag_items(context, flags, hostile_intake, may_clear=reviewer)
        assert ("Clear flag" in html) is reviewer
        assert ('value="tok"' in html) is reviewer


def _queries(client, intake) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("staff:intake", args=[intake.pk]))  # sessions and caches warmed
    with CaptureQueriesContext(connection) as seen:
        assert client.get(reverse("staff:intake", args=[intake.pk])).status_code == 200
    return len(seen)


def _longer_lists(intake, *, patient, clinician, coordinator, n: int = 12) -> None:
    """n more of every list the review page shows: history, flags, checklist items and
    their moves, documents, earlier intakes, viewers, clinicians and decline reasons."""
    from clinic.accounts.roles import Role
    from clinic.documents.models import Document
    from intake.checklist import ITEMS
    from intake.models import ChecklistEvent, ChecklistItem, DeclineTemplate

    for i, item in enumerate(ITEMS):
        row = ChecklistItem.objects.create(
            intake=intake, code=item.code, status="requested", updated_by=clinician
        )
        for _ in range(i + 2):
            ChecklistEvent.objects.create(
                item=row, from_status="suggested", to_status="requested", actor=clinician
            )
    for k in range(n):
        IntakeEvent.objects.create(
            intake=intake, actor=coordinator, kind=IntakeEvent.Kind.NOTE, text=f"n{k}"
        )
        IntakeFlag.objects.create(
            intake=intake,
            code=f"more{k}",
            title="t",
            severity="stop",
            source="s",
            message="m",
            position=100 + k,
            cleared_at=timezone.now() if k % 2 else None,
            cleared_by=clinician if k % 2 else None,
        )
        Intake.objects.create(patient=patient, status=Intake.Status.DECLINED)
        AuditEvent.objects.create(
            actor=make_user(f"v{k}@example.com", Role.CLINICIAN), action="view", patient=patient
        )
        make_user(f"dr{k}@example.com", Role.CLINICIAN)
        DeclineTemplate.objects.create(title=f"Reason {k}", patient_message="m")
        Document.objects.create(
            patient=patient,
            kind="referral_letter",
            file=f"documents/{k}.pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=10,
            sha256="0" * 64,
            original_name=f"letter {k}.pdf",
            uploaded_by=coordinator,
        )


@pytest.mark.parametrize("role", ["clinician", "coordinator", "clinic_admin"])
def test_the_review_page_asks_as_many_queries_for_long_lists_as_for_short_ones(
    login, people, clinician, coordinator, patient, hostile_intake, role
):
    from django.db import connection

    from clinic.accounts.roles import Role

    short = demo.seed_intake(
        patient=make_user("s@example.com", Role.PATIENT), answers=demo.BASE, submit=True
    )
    client = login(people[role])
    few = _queries(client, short)
    _longer_lists(hostile_intake, patient=patient, clinician=clinician, coordinator=coordinator)
    html = client.get(reverse("staff:intake", args=[hostile_intake.pk])).content.decode()
    assert "letter 11.pdf" in html or "Referral letter" in html
    if role == "clinician":
        assert "Reason 11" in html and html.count(">Test User</option>") >= 12
        assert html.count("data-checklist=") == 4
    many = _queries(client, hostile_intake)
    assert many == few <= REVIEW_PAGE_QUERIES[connection.vendor]


def test_a_coordinator_s_review_page_reads_no_clinician_list(login, coordinator, hostile_intake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(coordinator)
    url = reverse("staff:intake", args=[hostile_intake.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as seen:
        html = client.get(url).content.decode()
    assert not any('"auth_group"."name" =' in q["sql"] for q in seen)
    assert "Save assignment" not in html and "Clear flag" not in html
