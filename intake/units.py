"""Pure: height and weight as typed (US or metric) to the metric values stored for dosing,
the BMI they give, and a patient's age on a given day."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

CM_PER_INCH = Decimal("2.54")
KG_PER_LB = Decimal("0.45359237")


def _dec(value) -> Decimal | None:
    try:
        number = Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None
    # NaN and infinity cannot be rounded or stored: treat them as not answered.
    return number if number is not None and number.is_finite() else None


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def body_metrics(answers: dict) -> tuple[Decimal | None, Decimal | None]:
    """(height in cm, weight in kg), each rounded to 0.1, or None where not answered."""
    if answers.get("measurement_system") == "us":
        feet, inches, pounds = (
            _dec(answers.get(k)) for k in ("height_ft", "height_in", "weight_lb")
        )
        height = (feet * 12 + (inches or 0)) * CM_PER_INCH if feet is not None else None
        weight = pounds * KG_PER_LB if pounds is not None else None
    elif answers.get("measurement_system") == "metric":
        height, weight = _dec(answers.get("height_cm")), _dec(answers.get("weight_kg"))
    else:
        return None, None
    return (
        _one_place(height) if height is not None else None,
        _one_place(weight) if weight is not None else None,
    )


def bmi(height_cm, weight_kg) -> Decimal | None:
    """Body mass index (kg/m²) to one place, or None when either value is missing or zero."""
    height, weight = _dec(height_cm), _dec(weight_kg)
    if height is None or weight is None or height <= 0 or weight <= 0:
        return None
    metres = height / 100
    return _one_place(weight / (metres * metres))


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    """Completed years on `today` (a 29 February birthday counts from 1 March in other
    years), or None without a birth date or for one after today."""
    if birth is None or birth > today:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
