"""Forms for planning a course: the rules a clinician or coordinator chooses, and the
cancellation of a course (a reason from status.CANCEL_REASONS, confirmed)."""

import datetime as dt

from django import forms

from . import course, status

COUNTS = [(n, f"{n} infusions") for n in (4, 5, 6)]
TIMES = [
    (course.MORNING, "Morning (before 11:00)"),
    (course.MIDDAY, "Midday (11:00–14:00)"),
    (course.AFTERNOON, "Afternoon (from 14:00)"),
]
GAPS = [
    (0, "Consecutive days allowed"),
    (1, "At least 1 free day between"),
    (2, "At least 2 free days between"),
]


class PlanCourseForm(forms.Form):
    count = forms.TypedChoiceField(label="Number of infusions", choices=COUNTS, coerce=int)
    first_date = forms.DateField(
        label="Earliest date", widget=forms.DateInput(attrs={"type": "date"})
    )
    window_days = forms.IntegerField(
        label="Within (days)", min_value=1, max_value=56, help_text="From the earliest date."
    )
    min_gap_days = forms.TypedChoiceField(label="Spacing", choices=GAPS, coerce=int)
    weekdays_only = forms.BooleanField(label="Weekdays only", required=False)
    preferred_times = forms.MultipleChoiceField(
        label="Preferred times of day",
        choices=TIMES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the patient's intake; a preference, not a rule.",
    )

    def __init__(self, *args, earliest: dt.date, booster: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest
        if booster:
            self.fields["count"].choices = [(1, "1 infusion (booster)")]

    @classmethod
    def initial_from(cls, rules: course.SeriesRules) -> dict:
        return {
            "count": rules.count,
            "first_date": rules.first_date,
            "window_days": rules.window_days,
            "min_gap_days": rules.min_gap_days,
            "weekdays_only": rules.weekdays_only,
            "preferred_times": sorted(rules.preferred_times),
        }

    def clean_first_date(self):
        first = self.cleaned_data["first_date"]
        if first < self.earliest:
            raise forms.ValidationError(
                f"The earliest date with enough notice is {self.earliest:%b} {self.earliest.day}."
            )
        return first

    def rules(self) -> course.SeriesRules:
        data = self.cleaned_data
        return course.SeriesRules(
            count=data["count"],
            first_date=data["first_date"],
            window_days=data["window_days"],
            weekdays_only=data["weekdays_only"],
            min_gap_days=data["min_gap_days"],
            preferred_times=frozenset(data["preferred_times"]),
        )


class CancelCourseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason (recorded)",
        choices=[("", "Choose a reason")] + [(r.code, r.label) for r in status.CANCEL_REASONS],
    )
    note = forms.CharField(label="Note", required=False, max_length=150)
    confirm = forms.BooleanField(
        label="Yes, cancel every infusion of this course that has not happened yet",
    )

    def clean(self):
        data = super().clean()
        if problem := status.reason_problem(
            status.Action.CANCEL, data.get("reason", ""), data.get("note", "")
        ):
            self.add_error("note" if data.get("reason") else "reason", problem)
        return data


class CourseSettingsForm(forms.Form):
    course_infusions = forms.TypedChoiceField(
        label="Infusions in a new course", choices=COUNTS, coerce=int
    )
    course_window_days = forms.IntegerField(
        label="Days a new course is planned within", min_value=4, max_value=56
    )
    infusion_preparation = forms.CharField(
        label="Preparation text in the day-before message",
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text sent to every infusion patient the day before. No clinical "
        "details about any one patient.",
    )
