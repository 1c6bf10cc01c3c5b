"""The check-in forms: the intake's own questions (wording verbatim, defined once in
intake.questionnaire) plus side effects, current opioids and the PGIC.

Before an infusion: PEG (3 taps) and side effects since the last infusion. Follow-ups:
PEG, PHQ-9, GAD-7, current opioids ("no change since last time" is one tap) and the PGIC.
"""

from __future__ import annotations

from django import forms

from intake.forms import REQUIRED, make_field, to_json
from intake.questionnaire import QUESTION_BY_KEY
from intake.questionnaire.opioids import OPIOID_ROW
from intake.scoring import INSTRUMENT_ITEMS

from .outcomes import PGIC_CHOICES, PGIC_QUESTION

SIDE_EFFECTS = (
    ("nausea", "Feeling sick or being sick"),
    ("dizziness", "Dizziness or blurred vision"),
    ("unreal", "Strange dreams, or feeling unreal or detached, after the infusion day"),
    ("thinking", "Trouble thinking clearly or remembering"),
    ("bladder", "Pain or burning when passing urine, or needing to go much more often"),
    ("none", "None of these"),
)
OPIOID_CHANGE = (
    ("same", "No change since last time"),
    ("changed", "Yes, something changed"),
    ("none", "I take no opioid pain medicine now"),
)
OPIOID_ROWS = 2
_ROW_FIELDS = {q.key: q for q in OPIOID_ROW if q.key in ("drug", "strength", "doses_per_day")}

GROUPS = {
    "peg": (
        "Your pain in the past week",
        INSTRUMENT_ITEMS["PEG"],
    ),
    "phq9": (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        INSTRUMENT_ITEMS["PHQ9"],
    ),
    "gad7": (
        "Over the last 2 weeks, how often have you been bothered by the following problems?",
        INSTRUMENT_ITEMS["GAD7"],
    ),
}


def _question_field(key: str) -> forms.Field:
    field = make_field(QUESTION_BY_KEY[key])
    field.required = True
    return field


class CheckInForm(forms.Form):
    """One form for every kind; the fields present depend on the kind (see __init__)."""

    def __init__(self, *args, kind: str, after_infusion: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.groups: list[tuple[str, str, list[str]]] = []
        self._add_group("peg")
        if kind == "pre_infusion":
            if after_infusion:
                self.fields["side_effects"] = forms.MultipleChoiceField(
                    label="Since your last infusion, have you had any of these?",
                    choices=SIDE_EFFECTS,
                    widget=forms.CheckboxSelectMultiple,
                    help_text='Tick all that apply, or "None of these".',
                    error_messages={"required": 'Tick at least one, or "None of these".'},
                )
                self.groups.append(("effects", "Since your last infusion", ["side_effects"]))
            return
        self._add_group("phq9")
        self._add_group("gad7")
        self._add_opioids()
        self.fields["pgic"] = forms.TypedChoiceField(
            label=PGIC_QUESTION,
            choices=[(str(v), label) for v, label in PGIC_CHOICES],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
        )
        self.groups.append(("pgic", "Overall", ["pgic"]))

    def _add_group(self, code: str) -> None:
        legend, keys = GROUPS[code]
        for key in keys:
            self.fields[key] = _question_field(key)
        self.groups.append((code, legend, list(keys)))

    def _add_opioids(self) -> None:
        self.fields["opioids_change"] = forms.ChoiceField(
            label="Has your opioid pain medicine (such as oxycodone, hydrocodone, morphine, "
            "tramadol or a fentanyl patch) changed since your last check-in?",
            choices=OPIOID_CHANGE,
            widget=forms.RadioSelect,
            error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
        )
        names = ["opioids_change"]
        for n in range(1, OPIOID_ROWS + 1):
            for key, question in _ROW_FIELDS.items():
                field = make_field(question)
                field.required = False
                field.label = f"Medicine {n}: {field.label}"
                self.fields[f"opioid_{n}_{key}"] = field
                names.append(f"opioid_{n}_{key}")
        self.groups.append(("opioids", "Opioid pain medicine", names))

    def clean(self):
        data = super().clean()
        effects = data.get("side_effects") or []
        if "none" in effects and len(effects) > 1:
            self.add_error("side_effects", 'Choose "None of these" or the side effects, not both.')
        if data.get("opioids_change") == "changed":
            self._clean_opioid_rows(data)
        return data

    def _clean_opioid_rows(self, data) -> None:
        filled = 0
        for n in range(1, OPIOID_ROWS + 1):
            drug = data.get(f"opioid_{n}_drug")
            strength = data.get(f"opioid_{n}_strength")
            per_day = data.get(f"opioid_{n}_doses_per_day")
            if not (drug or strength or per_day):
                continue
            filled += 1
            if not drug:
                self.add_error(f"opioid_{n}_drug", "Choose the medicine.")
            if strength is None and f"opioid_{n}_strength" not in self.errors:
                self.add_error(f"opioid_{n}_strength", "Enter the strength of one dose.")
            per_day_key = f"opioid_{n}_doses_per_day"
            if (
                drug
                and drug != "fentanyl_patch"
                and per_day is None
                and per_day_key not in self.errors
            ):
                self.add_error(f"opioid_{n}_doses_per_day", "Enter how many a day.")
        if not filled:
            self.add_error(
                "opioid_1_drug",
                'Enter the medicine you take now, or choose "I take no opioid pain medicine now".',
            )

    def answers(self) -> dict:
        """The cleaned values as JSON answers keyed like the intake (opioids as rows)."""
        data = self.cleaned_data
        answers = {
            key: to_json(value)
            for key, value in data.items()
            if not key.startswith("opioid_") and value not in (None, "", [])
        }
        for key in list(answers):
            if key in QUESTION_BY_KEY and QUESTION_BY_KEY[key].type == "choice":
                answers[key] = str(answers[key])
        if data.get("opioids_change") == "changed":
            answers["opioids"] = [
                {key: to_json(data.get(f"opioid_{n}_{key}")) for key in _ROW_FIELDS}
                for n in range(1, OPIOID_ROWS + 1)
                if data.get(f"opioid_{n}_drug")
            ]
        return answers

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        """A filled-in check-in's answers as the form's initial values (for a correction)."""
        initial = {k: v for k, v in answers.items() if k != "opioids"}
        for n, row in enumerate(answers.get("opioids") or [], start=1):
            for key in _ROW_FIELDS:
                initial[f"opioid_{n}_{key}"] = row.get(key)
        return initial


class BoosterIntervalForm(forms.Form):
    booster_interval_weeks = forms.IntegerField(
        label="Prompt staff to offer a booster this many weeks after the last infusion",
        required=False,
        min_value=1,
        max_value=104,
        help_text="Leave empty to prompt only when a responder's relief fades (half of the "
        "PEG gain lost). Either way, a patient can ask for a booster from the portal.",
        error_messages={
            "min_value": "Enter a number of weeks from 1 to 104, or leave it empty.",
            "max_value": "Enter a number of weeks from 1 to 104, or leave it empty.",
            "invalid": "Enter a number of weeks from 1 to 104, or leave it empty.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": 104}),
    )
