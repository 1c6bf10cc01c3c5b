from consultations.vitals import Limits, out_of_range

LIMITS = Limits(
    systolic_min=90,
    systolic_max=160,
    diastolic_min=50,
    diastolic_max=100,
    heart_rate_min=50,
    heart_rate_max=110,
    spo2_min=92,
)


def test_values_on_the_limits_are_inside_them():
    assert out_of_range(systolic=160, diastolic=100, heart_rate=110, spo2=92, limits=LIMITS) == []
    assert out_of_range(systolic=90, diastolic=50, heart_rate=50, spo2=100, limits=LIMITS) == []


def test_one_past_each_limit_is_highlighted_with_why():
    high = out_of_range(systolic=161, diastolic=101, heart_rate=111, spo2=91, limits=LIMITS)
    assert [(f.field, f.value, f.why) for f in high] == [
        ("systolic", 161, "above 160 mmHg"),
        ("diastolic", 101, "above 100 mmHg"),
        ("heart_rate", 111, "above 110 bpm"),
        ("spo2", 91, "below 92 %"),
    ]
    low = out_of_range(systolic=89, diastolic=49, heart_rate=49, limits=LIMITS)
    assert [f.why for f in low] == ["below 90 mmHg", "below 50 mmHg", "below 50 bpm"]


def test_missing_values_are_not_judged():
    assert out_of_range(limits=LIMITS) == []
    assert [f.field for f in out_of_range(spo2=85, limits=LIMITS)] == ["spo2"]


def test_the_clinic_limits_are_used_not_the_defaults():
    strict = Limits(systolic_max=140)
    assert [f.why for f in out_of_range(systolic=150, limits=strict)] == ["above 140 mmHg"]
    assert out_of_range(systolic=150, limits=Limits()) == []


def test_limits_that_contradict_each_other_are_reported():
    assert Limits().problems() == []
    assert Limits(systolic_min=170).problems() == ["Systolic: the lowest is above the highest."]
    assert "SpO2" in Limits(spo2_min=101).problems()[0]
