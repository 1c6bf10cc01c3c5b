"""Age and BMI on the review page: the pure rules, and what each role reads."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from intake import demo, units
from intake.models import Intake


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (dt.date(1979, 4, 23), dt.date(2026, 4, 22), 46),  # the day before the birthday
        (dt.date(1979, 4, 23), dt.date(2026, 4, 23), 47),  # on the birthday
        (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),  # leap-day birthday, common year
        (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 1), 0),  # born today
    ],
)
def test_age_counts_completed_years(birth, today, age):
    assert units.age_on(birth, today) == age


def test_no_age_without_a_birth_date_or_with_one_in_the_future():
    assert units.age_on(None, dt.date(2026, 1, 1)) is None
    assert units.age_on(dt.date(2027, 1, 1), dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("height", "weight", "bmi"),
    [
        (Decimal("180.0"), Decimal("82.5"), Decimal("25.5")),
        ("167.6", "68.0", Decimal("24.2")),  # 5 ft 6 in, 150 lb as stored
        (None, Decimal("70"), None),
        (Decimal("170"), None, None),
        (Decimal("0"), Decimal("70"), None),
        ("", "", None),
        ("nan", "70", None),
    ],
)
def test_bmi_from_the_stored_metric_values(height, weight, bmi):
    assert units.bmi(height, weight) == bmi


def test_us_answers_give_the_same_bmi_as_the_metric_equivalent():
    height, weight = units.body_metrics(
        {"measurement_system": "us", "height_ft": 5, "height_in": 6, "weight_lb": 150}
    )
    assert (height, weight) == (Decimal("167.6"), Decimal("68.0"))
    assert units.bmi(height, weight) == Decimal("24.2")


@pytest.fixture
def intake(patient):
    return demo.seed_intake(patient=patient, answers=demo.BASE, submit=True)


@time_machine.travel(dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
def test_clinician_reads_age_and_bmi_on_the_review_page(login, clinician, intake):
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "age 47" in html  # born 1979-04-23
    assert "BMI <strong>24.2</strong> (167.6 cm, 68.0 kg)" in html


@time_machine.travel(dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
def test_coordinator_reads_the_age_but_not_the_bmi(login, coordinator, intake):
    html = login(coordinator).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "age 47" in html and "BMI" not in html


def test_missing_height_says_so_instead_of_a_number(login, clinician, intake):
    answers = {k: v for k, v in intake.answers.items() if not k.startswith("height")}
    Intake.objects.filter(pk=intake.pk).update(answers=answers, height_cm=None)
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "BMI: height not given (68.0 kg)" in html


def test_an_older_intake_without_stored_metrics_reads_them_from_the_answers(
    login, clinician, intake
):
    Intake.objects.filter(pk=intake.pk).update(height_cm=None, weight_kg=None)
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert "BMI <strong>24.2</strong>" in html


def test_an_unreadable_birth_date_shows_no_age(login, clinician, intake):
    Intake.objects.filter(pk=intake.pk).update(
        date_of_birth=None, answers={**intake.answers, "date_of_birth": "not a date"}
    )
    html = login(clinician).get(reverse("staff:intake", args=[intake.pk])).content.decode()
    assert 'data-testid="age"' not in html
