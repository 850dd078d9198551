"""The ASSIST interview form: Q1 for every substance, then Q2–Q7 for each substance used.

The skip rules are applied live by static/js/assist-form.js and enforced again here (and in
the service) by assessments.assist: an answer to a question that is not asked is an error
shown next to that question.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments import assist
from assessments.models import Screening
from atensi.forms import DateInput, StyledFormMixin

YES, NO = "yes", "no"


@dataclass(frozen=True)
class QuestionRow:
    code: str
    number: str
    text: str
    field: forms.BoundField


@dataclass(frozen=True)
class SubstanceRow:
    code: str
    letter: str
    name: str
    examples: str
    q1: forms.BoundField
    questions: tuple[QuestionRow, ...]
    specify: forms.BoundField | None


def _radio(choices, *, required: bool, label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        error_messages={"required": _(assist.MSG_MISSING)},
    )


def field_name(substance: str, question: str) -> str:
    return f"{substance}_{question}"


class ScreeningForm(StyledFormMixin, forms.Form):
    screened_on = forms.DateField(label=_("Date of screening"), widget=DateInput())
    injection = forms.ChoiceField(
        label=_(assist.QUESTION_TEXT["q8"]),
        choices=Screening.Injection.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["injection"].widget.attrs["class"] = "btn-check"
        yes_no = [(YES, _(assist.YES_NO_LABELS[True])), (NO, _(assist.YES_NO_LABELS[False]))]
        for substance in assist.SUBSTANCES:
            code = substance.code
            self.fields[field_name(code, "q1")] = _radio(
                yes_no, required=True, label=_(substance.name)
            )
            for question in substance.questions[1:]:
                labels = assist.answer_labels(question)
                self.fields[field_name(code, question)] = _radio(
                    [(value, _(label)) for value, label in labels.items()],
                    required=False,
                    label=_(assist.QUESTION_TEXT[question]),
                )
        self.fields[field_name("other", assist.SPECIFY)] = forms.CharField(
            label=_("Which substance?"),
            max_length=assist.SPECIFY_MAX_LENGTH,
            required=False,
            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        )

    @property
    def rows(self) -> list[SubstanceRow]:
        """One row per substance for the template: Q1, then the questions that may follow."""
        rows = []
        for substance in assist.SUBSTANCES:
            code = substance.code
            questions = tuple(
                QuestionRow(
                    code=question,
                    number=question[1:],
                    text=gettext(assist.QUESTION_TEXT[question]),
                    field=self[field_name(code, question)],
                )
                for question in substance.questions[1:]
            )
            rows.append(
                SubstanceRow(
                    code=code,
                    letter=substance.letter,
                    name=gettext(substance.name),
                    examples=gettext(substance.examples),
                    q1=self[field_name(code, "q1")],
                    questions=questions,
                    specify=self[field_name(code, assist.SPECIFY)] if code == "other" else None,
                )
            )
        return rows

    def clean(self):
        data = super().clean()
        answers: dict[str, dict] = {}
        for substance in assist.SUBSTANCES:
            code = substance.code
            entry: dict = {}
            q1 = data.get(field_name(code, "q1"))
            if q1:
                entry["q1"] = q1 == YES
            for question in substance.questions[1:]:
                value = data.get(field_name(code, question))
                if value:
                    entry[question] = value
            specify = (data.get(field_name(code, assist.SPECIFY)) or "").strip()
            if code == "other" and specify:
                entry[assist.SPECIFY] = specify
            answers[code] = entry
        injection = data.get("injection")
        if not injection:
            if any(entry.get("q1") for entry in answers.values()):
                self.add_error("injection", gettext(assist.MSG_MISSING))
            # Check the other answers all the same: every gap is said in one round.
            injection = assist.NEVER
        try:
            data["answers"] = assist.validate(answers, injection)
        except assist.AssistError as exc:
            for problem in exc.problems:
                self._add_problem(problem)
        data["injection"] = injection
        return data

    def _add_problem(self, problem: assist.Problem) -> None:
        if problem.question == "q8":
            name = "injection"
        elif problem.substance and problem.question:
            name = field_name(problem.substance, problem.question)
        else:
            name = None
        if name not in self.fields:
            self.add_error(None, problem.render(gettext))
        elif not self.has_error(name):
            self.add_error(name, problem.text(gettext))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "screened_on": data["screened_on"],
            "answers": data["answers"],
            "injection": data["injection"],
            "notes": data["notes"],
        }
