"""Forms generated from the questionnaire definition (intake/questionnaire/).

One form class per section; repeatable lists (opioids, other medicines) are formsets. Fields
hidden by a show-if condition are not required and their errors are dropped, so a patient
is never blocked by a question they cannot see.
"""

import copy
import datetime as dt
import json
from decimal import Decimal
from functools import cache

from django import forms
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from phonenumber_field.formfields import PhoneNumberField

from .combinations import (
    find_combination,
    opioid_mismatch_message,
    pair_message,
    split_strength,
    strength_problem,
)
from .medications import reading_text
from .questionnaire import Question, Section
from .signature import signature_problem

REQUIRED = "Please answer this question."
TOO_LONG = (
    "This is too long: please shorten it to %(limit_value)d characters or fewer "
    "(it has %(show_value)d now)."
)
CONFLICT = "You changed this in another window. Choose which answer to keep."
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Medicine names in repeatable rows: suggested from the list (a <datalist>) and read back
# to the patient ("We read this as clonazepam"). Step key -> row field keys.
MEDICINE_FIELDS = {
    "medications": ("other_medications", ("name",)),
    "opioids": ("opioids", ("product", "drug_other")),
}


class LimitedCharField(forms.CharField):
    """Text with a limit the browser must not enforce by itself: maxlength cuts pasted text
    silently, so the limit goes to the page's counter (intake.js), and the server says when
    an answer is too long."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["data-max-chars"] = attrs.pop("maxlength")
        return attrs


def medicine_readings(step_key: str, values: dict) -> dict[str, str]:
    """What we read each medicine name posted on step_key as, by the field's html name."""
    if step_key not in MEDICINE_FIELDS:
        return {}
    prefix, names = MEDICINE_FIELDS[step_key]
    out = {}
    for name, posted in values.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == prefix and parts[2] in names and posted:
            out[name] = reading_text(posted[0] if isinstance(posted, list) else posted)
    return out


def _number_message(q: Question) -> str:
    unit = f" {q.unit}" if q.unit else ""
    low = "" if q.min_value is None else f"{q.min_value:g}"
    high = "" if q.max_value is None else f"{q.max_value:g}"
    if low and high:
        text = f"Enter a number from {low} to {high}{unit}"
    elif low:
        text = f"Enter a number of at least {low}{unit}"
    else:
        text = "Enter a number"
    return text + (f", for example {q.example}." if q.example else ".")


class MonthField(forms.CharField):
    """A month as YYYY-MM, not in the future."""

    widget = forms.TextInput

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return ""
        try:
            month = dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(
                "Enter a month and year, for example 2021-06 for June 2021."
            ) from None
        if month > timezone.localdate():
            raise forms.ValidationError("This month is in the future. Enter when it happened.")
        if month.year < 1900:
            raise forms.ValidationError("Enter a year after 1900.")
        return value


class PastDateField(forms.DateField):
    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError("This date is in the future. Check the year.")
        if value and value.year < 1900:
            raise forms.ValidationError("Enter a year after 1900.")


class DateOfBirthField(PastDateField):
    def validate(self, value):
        super().validate(value)
        if value and _age(value, timezone.localdate()) < 18:
            raise forms.ValidationError(
                "This clinic treats adults only: you must be 18 or older. Please check the "
                "date, or call the clinic to talk about other options."
            )


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _attrs(q: Question) -> dict:
    attrs = {}
    if q.autocomplete:
        attrs["autocomplete"] = q.autocomplete
    return attrs


def make_field(q: Question) -> forms.Field:
    label = f"{q.label} ({q.unit})" if q.unit and f"({q.unit})" not in q.label else q.label
    common = {"label": label, "help_text": q.help_text, "required": q.required}
    errors = {"required": REQUIRED}
    choices = [(c.value, c.label) for c in q.choices]
    t = q.type
    if t in ("text", "email"):
        cls = forms.EmailField if t == "email" else LimitedCharField
        return cls(
            max_length=q.max_chars,
            error_messages={**errors, "max_length": TOO_LONG},
            widget=forms.TextInput(attrs=_attrs(q))
            if t == "text"
            else forms.EmailInput(attrs=_attrs(q)),
            **common,
        )
    if t == "textarea":
        return LimitedCharField(
            max_length=q.max_chars,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={**errors, "max_length": TOO_LONG},
            **common,
        )
    if t == "phone":
        return PhoneNumberField(
            widget=forms.TextInput(attrs={"type": "tel", **_attrs(q)}),
            error_messages={
                **errors,
                "invalid": "Enter a valid phone number, for example "
                f"{q.example or '(555) 123-4567'}.",
            },
            **common,
        )
    if t == "date":
        cls = DateOfBirthField if q.key == "date_of_birth" else PastDateField
        return cls(
            widget=DATE_WIDGET,
            error_messages={**errors, "invalid": "Enter a real date, for example 1980-04-23."},
            **common,
        )
    if t == "month":
        return MonthField(
            widget=forms.TextInput(
                attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}
            ),
            error_messages=errors,
            **common,
        )
    if t in ("integer", "decimal"):
        message = _number_message(q)
        cls = forms.IntegerField if t == "integer" else forms.DecimalField
        extra = {} if t == "integer" else {"max_digits": 8, "decimal_places": 2}
        return cls(
            min_value=q.min_value,
            max_value=q.max_value,
            widget=forms.NumberInput(
                attrs={
                    "inputmode": "decimal" if t == "decimal" else "numeric",
                    "step": "any" if t == "decimal" else "1",
                    **_attrs(q),
                }
            ),
            error_messages={
                **errors,
                "invalid": message,
                "min_value": message,
                "max_value": message,
                "max_digits": message,
                "max_decimal_places": message,
                "max_whole_digits": message,
            },
            **extra,
            **common,
        )
    if t in ("choice", "yesno"):
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={**errors, "invalid_choice": REQUIRED},
            **common,
        )
    if t == "select":
        return forms.ChoiceField(
            choices=[("", "Choose…"), *choices],
            error_messages={**errors, "invalid_choice": REQUIRED},
            **common,
        )
    if t == "multi":
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={**errors, "invalid_choice": "Choose from the list."},
            **common,
        )
    if t == "scale":
        low, high = int(q.min_value or 0), int(q.max_value if q.max_value is not None else 10)
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(low, high + 1)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            error_messages={**errors, "invalid_choice": f"Choose a number from {low} to {high}."},
            **common,
        )
    if t == "consent":
        return forms.BooleanField(
            error_messages={"required": "Please tick this box to continue."}, **common
        )
    raise ValueError(f"no form field for question type {t!r}")


def to_json(value):
    """Cleaned form values as JSON-friendly answers."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_e164"):
        return value.as_e164
    return value


class _QuestionFields(dict):
    """A form class's fields, copied for each form without copying their choices.

    Django deep-copies every field for every form it makes, choices included (and
    normalises them again): a step's choice lists (sixty body areas, eleven-point scales)
    cost more than the rest of making its form. The choices come from the questionnaire
    and nothing changes them in place (a new list may be assigned to one form's field),
    so each form's fields share them; what a form may change of its own (the widget and
    its attrs, error messages, validators) is copied as Django copies it.
    """

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field: forms.Field, memo) -> forms.Field:
    if isinstance(field.widget, forms.MultiWidget):
        return copy.deepcopy(field, memo)
    copied = _shallow_copy(field)
    copied.widget = _shallow_copy(field.widget)
    copied.widget.attrs = field.widget.attrs.copy()
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied


def _shallow_copy(obj):
    """copy.copy for a field or widget (plain objects: no slots, no __copy__), without the
    generic pickling protocol copy.copy goes through."""
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


def _with_shared_choices(form: type[forms.Form]) -> type[forms.Form]:
    form.base_fields = _QuestionFields(form.base_fields)
    return form


@cache
def row_form_class(parent: Question) -> type[forms.Form]:
    fields = {q.key: make_field(q) for q in parent.fields}
    for prefix, names in MEDICINE_FIELDS.values():
        if prefix == parent.key:
            for name in names:
                fields[name].widget.attrs.update({"list": "medicine-names", "autocomplete": "off"})
    row = type(f"{parent.key.title()}RowForm", (RowForm,), {**fields, "question": parent})
    return _with_shared_choices(row)


class RowForm(forms.Form):
    question: Question

    def clean(self):
        cleaned = super().clean()
        # A patch is dosed in mcg/h, continuously: it has no doses per day. Every other
        # opioid needs one to turn strength into a daily dose.
        if self.question.key == "opioids":
            drug = cleaned.get("drug")
            needs_doses = drug and drug != "fentanyl_patch" and not cleaned.get("doses_per_day")
            if needs_doses and "doses_per_day" not in self.errors:
                self.add_error("doses_per_day", "How many doses a day? For example 4.")
            if drug == "other" and not cleaned.get("drug_other"):
                self.add_error("drug_other", "Please name the opioid.")
            self._check_combination(cleaned)
        return cleaned

    def _check_combination(self, cleaned) -> None:
        """A combination tablet's strength must be its opioid part, for an unambiguous MME."""
        combination = find_combination(cleaned.get("product") or cleaned.get("drug_other"))
        raw_strength = self.data.get(self.add_prefix("strength"), "")
        pair = split_strength(raw_strength)
        if pair is not None and "strength" in self.errors:
            # "5/325" is not a number: say which of the two numbers to enter.
            self.errors["strength"] = self.error_class([pair_message(combination, *pair)])
        if combination is None:
            return
        drug = cleaned.get("drug")
        if drug and drug not in (combination.opioid, "other") and "drug" not in self.errors:
            self.add_error("drug", opioid_mismatch_message(combination))
        strength = cleaned.get("strength")
        problem = strength_problem(combination, float(strength)) if strength else ""
        if problem and "strength" not in self.errors:
            self.add_error("strength", problem)


class BaseRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        out = []
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = form.cleaned_data if form.is_bound and form.is_valid() else {}
            row = {k: to_json(v) for k, v in data.items() if k != "DELETE"}
            if any(v not in (None, "", []) for v in row.values()):
                out.append(row)
        return out


def formset_class(q: Question):
    return forms.formset_factory(
        row_form_class(q),
        formset=BaseRowFormSet,
        extra=1,
        can_delete=True,
        max_num=q.max_rows,
        validate_max=True,
        absolute_max=q.max_rows,
    )


def raw_answers(section: Section, data) -> dict:
    """What the patient has just typed, read loosely, to decide which questions show."""
    out = {}
    for q in section.questions:
        if q.type == "multi":
            out[q.key] = data.getlist(q.key)
        elif q.type != "repeat":
            out[q.key] = data.get(q.key, "")
    return out


class SectionForm(forms.Form):
    """Fields for one section. Bind with `data` (a QueryDict) and the intake's `answers`."""

    section: Section

    def __init__(self, data=None, *, answers: dict, **kwargs):
        super().__init__(data, **kwargs)
        self.answers = answers
        # Question key -> ConflictNote for answers two windows changed (set by the view).
        self.conflicts: dict = {}
        effective = {**answers, **(raw_answers(self.section, data) if data is not None else {})}
        self.shown = {q.key: q.is_shown(effective) for q in self.section.questions}
        self.formsets = {}
        for q in self.section.questions:
            if q.type == "repeat":
                initial = answers.get(q.key) or []
                self.formsets[q.key] = formset_class(q)(
                    data, prefix=q.key, initial=initial if data is None else None
                )
        # Hidden questions keep `required` (so the asterisk is there when they appear);
        # full_clean() drops their errors, so they never block a save.
        if data is None:
            self.initial = {k: v for k, v in answers.items() if k in self.fields}

    def clean(self):
        cleaned = super().clean()
        signature = cleaned.get("consent_signature")
        if signature and "consent_signature" in self.fields:
            problem = signature_problem(
                signature,
                first=self.answers.get("legal_first_name"),
                last=self.answers.get("legal_last_name"),
            )
            if problem:
                self.add_error("consent_signature", problem)
        return cleaned

    def question_rows(self):
        """(question, bound field or formset, shown, show_if json, conflict note) in order."""
        for q in self.section.questions:
            target = self.formsets.get(q.key) if q.type == "repeat" else self[q.key]
            yield q, target, self.shown[q.key], _show_if_json(q), self.conflicts.get(q.key)

    def question_blocks(self):
        """(legend, rows, any row shown) in order: a fieldset's questions under its legend,
        every other question alone with an empty legend (see questionnaire.Question.group)."""
        blocks: list[tuple[str, list]] = []
        for row in self.question_rows():
            group = row[0].group
            if group and blocks and blocks[-1][0] == group:
                blocks[-1][1].append(row)
            else:
                blocks.append((group, [row]))
        return [(legend, rows, any(row[2] for row in rows)) for legend, rows in blocks]

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for key, shown in self.shown.items():
            if not shown:
                self._errors.pop(key, None)
                self.cleaned_data.pop(key, None)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for key, formset in self.formsets.items():
            if not self.shown[key]:
                continue
            formset_ok = formset.is_valid()
            question = self.section_question(key)
            if question.required and formset_ok and not formset.rows():
                # A formset error, so it shows beside the rows and links from the summary.
                formset.non_form_errors().append("Add at least one.")
                formset_ok = False
            valid = valid and formset_ok
        return valid

    def quiet_missing(self) -> None:
        """Drop "please answer" errors for fields left empty: a draft shown back should point
        out what is wrong, not everything not yet done."""
        for name in list(self._errors):
            if name in self.fields and not any(self.data.getlist(name)):
                self._errors.pop(name)

    def section_question(self, key) -> Question:
        return next(q for q in self.section.questions if q.key == key)

    def valid_answers(self) -> dict:
        """Every answer on this step that passed validation (partial saves keep these)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        out = {k: to_json(v) for k, v in self.cleaned_data.items() if k not in self.errors}
        # The step is posted whole, so a refused or cleared field replaces the answer it was
        # typed over (the typing stays in the draft): otherwise the old answer could be
        # submitted although the patient changed it.
        out |= {k: None for k in self.errors if k in self.fields}
        for key, formset in self.formsets.items():
            if self.shown[key]:
                out[key] = formset.rows() if formset.is_valid() else None
        return out

    def error_list(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the summary at the top of the step."""
        return list(self._iter_errors())

    def _iter_errors(self):
        for q in self.section.questions:
            if q.key in self.conflicts:
                yield f"keep-{q.key}-mine", q.label, CONFLICT
        for error in self.non_field_errors():
            yield "", "", error
        for name, errors in self.errors.items():
            if name == "__all__":
                continue
            field = self[name]
            for error in errors:
                yield _anchor(field), field.label, error
        for key, formset in self.formsets.items():
            if not self.shown[key] or not formset.is_bound:
                continue
            first_row = formset.forms[0] if formset.forms else None
            for error in formset.non_form_errors():
                anchor = _anchor(first_row[next(iter(first_row.fields))]) if first_row else ""
                yield anchor, self.section_question(key).label, error
            for i, row_errors in enumerate(formset.errors):
                for name, errors in row_errors.items():
                    row = formset.forms[i]
                    for error in errors:
                        yield _anchor(row[name]), f"{row[name].label} (row {i + 1})", error


@cache
def _show_if_json(q: Question) -> str:
    """A question's show-if conditions for the page's script, "" when it always shows."""
    conditions = [{"key": c.key, "op": c.op, "value": c.value} for c in q.conditions]
    return json.dumps(conditions) if conditions else ""


def _anchor(field: forms.BoundField) -> str:
    """The id the error summary links to. A radio or checkbox group has no element with the
    field's own id, so link to its first option."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else field.auto_id


@cache
def form_class(section: Section) -> type[SectionForm]:
    fields = {q.key: make_field(q) for q in section.questions if q.type != "repeat"}
    form = type(f"{section.key.title()}Form", (SectionForm,), {**fields, "section": section})
    return _with_shared_choices(form)


def page_values(form: SectionForm) -> dict[str, list[str]]:
    """What the browser posts for this form as rendered, if nothing is changed: the starting
    point a page carries with its saves (intake/drafts.py merges by it)."""
    out = {name: _posted(form[name]) for name in form.fields}
    for formset in form.formsets.values():
        for bound in formset.management_form:
            out[bound.html_name] = _posted(bound)
        for row in formset.forms:
            for bound in row:
                out[bound.html_name] = _posted(bound)
    return out


def _posted(bound: forms.BoundField) -> list[str]:
    widget, value = bound.field.widget, bound.value()
    if isinstance(widget, forms.CheckboxInput):
        return ["on"] if widget.check_test(value) else []
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return [str(v) for v in value or []]
    if isinstance(widget, forms.RadioSelect):
        return [] if value in (None, "") else [str(value)]
    if isinstance(widget, forms.Select):
        return ["" if value is None else str(value)]
    formatted = widget.format_value(value)
    return ["" if formatted is None else str(formatted)]


def form_data(data: dict[str, list[str]]) -> MultiValueDict:
    """Posted names and their values (text already) as a form reads them. What a form reads
    of a QueryDict (get, getlist) is MultiValueDict's: made at once, not name by name."""
    return MultiValueDict({key: list(values) for key, values in data.items()})


def stored_form(section: Section, *, answers: dict, drafts: dict) -> SectionForm:
    """The step's form as a page opened now shows it: the saved draft (typing kept, errors
    shown), else the answers."""
    form = _stored_unchecked(section, answers=answers, drafts=drafts)
    if form.is_bound:
        form.is_valid()
        form.quiet_missing()
    return form


def stored_values(section: Section, *, answers: dict, drafts: dict) -> dict[str, list[str]]:
    """page_values of stored_form: its draft is not validated, as the values shown do not
    depend on it."""
    return page_values(_stored_unchecked(section, answers=answers, drafts=drafts))


def _stored_unchecked(section: Section, *, answers: dict, drafts: dict) -> SectionForm:
    if section.key not in drafts:
        return form_class(section)(answers=answers)
    return form_class(section)(form_data(drafts[section.key]), answers=answers)
