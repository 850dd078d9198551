"""Forms of the satisfaction survey: the public questionnaire (in the wording of the sample
questionnaire of PermenPAN-RB 14/2017), a paper questionnaire typed in by staff, a unit, and
the period of the results."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, StyledFormMixin
from atensi.regions.models import Region
from rehab.models.survey import SurveyResponse, SurveyUnit

# The question and the four answers (rating 1 … 4) of each element, U1 … U9 as rehab.ikm
# orders them (the sample questionnaire asks about facilities before complaints).
QUESTIONS = {
    "U1": (
        _("How well do the requirements of the service fit the kind of service?"),
        (_("Do not fit"), _("Fit poorly"), _("Fit"), _("Fit very well")),
    ),
    "U2": (
        _("How easy is the procedure of the service at this unit?"),
        (_("Not easy"), _("Not very easy"), _("Easy"), _("Very easy")),
    ),
    "U3": (
        _("How quick is the service?"),
        (_("Not quick"), _("Not very quick"), _("Quick"), _("Very quick")),
    ),
    "U4": (
        _("How fair are the costs or fees of the service?"),
        (_("Very expensive"), _("Fairly expensive"), _("Cheap"), _("Free of charge")),
    ),
    "U5": (
        _("How well does the service you received match what the service standard promises?"),
        (_("Do not fit"), _("Fit poorly"), _("Fit"), _("Fit very well")),
    ),
    "U6": (
        _("How competent are the staff who served you?"),
        (_("Not competent"), _("Not very competent"), _("Competent"), _("Very competent")),
    ),
    "U7": (
        _("How polite and friendly are the staff?"),
        (
            _("Not polite and friendly"),
            _("Not very polite and friendly"),
            _("Polite and friendly"),
            _("Very polite and friendly"),
        ),
    ),
    "U8": (
        _("How are the complaints, suggestions and feedback of service users handled?"),
        (
            _("There is no way to complain"),
            _("There is one, but it does not work"),
            _("It works, but not fully"),
            _("It is well run"),
        ),
    ),
    "U9": (
        _("How good are the facilities and infrastructure?"),
        (_("Bad"), _("Adequate"), _("Good"), _("Very good")),
    ),
}
HONEYPOT = "website"


class QuestionnaireForm(StyledFormMixin, forms.Form):
    """The nine questions, the profile and a suggestion; nothing that names the respondent."""

    sex = forms.ChoiceField(label=_("Sex"), choices=SurveyResponse.Sex.choices,
                            widget=forms.RadioSelect)  # fmt: skip
    age_group = forms.ChoiceField(label=_("Age"), choices=SurveyResponse.AgeGroup.choices,
                                  widget=forms.RadioSelect)  # fmt: skip
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *SurveyResponse.Education.choices]
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=[("", "—"), *SurveyResponse.Occupation.choices]
    )
    suggestion = forms.CharField(
        label=_("Your suggestion for this service (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, (code, (question, answers)) in enumerate(QUESTIONS.items(), start=1):
            self.fields[code.lower()] = forms.TypedChoiceField(
                label=question, coerce=int, widget=forms.RadioSelect,
                choices=[(rating, answer) for rating, answer in enumerate(answers, start=1)],
                error_messages={"required": _("Choose one of the four answers.")},
            )  # fmt: skip
            self.fields[code.lower()].number = number
        # Left empty by people; filled in by robots that fill in every field.
        self.fields[HONEYPOT] = forms.CharField(
            label=_("Leave this field empty"), required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )  # fmt: skip

    def question_fields(self):
        return [self[code.lower()] for code in QUESTIONS]

    def profile_fields(self):
        return [self[name] for name in ("sex", "age_group", "education", "occupation")]

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data[code.lower()] for code in QUESTIONS}

    def profile(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[name] for name in ("sex", "age_group", "education", "occupation")}


class PaperQuestionnaireForm(QuestionnaireForm):
    """A paper questionnaire typed in by staff: the same, plus the day it was filled in."""

    answered_on = forms.DateField(label=_("Filled in on"), widget=DateInput())

    # The regulation took effect in 2017; a questionnaire is never older than that.
    EARLIEST = datetime.date(2017, 1, 1)

    def clean_answered_on(self):
        day = self.cleaned_data["answered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        if day < self.EARLIEST:
            raise forms.ValidationError(_("The date lies before the survey regulation (2017)."))
        return day


class SurveyUnitForm(StyledFormMixin, forms.ModelForm):
    region = forms.ModelChoiceField(
        label=_("Area served"), queryset=Region.objects.filter(level__lte=Region.Level.DISTRICT),
        empty_label="—",
        help_text=_("The regency or district whose people the unit serves."),
    )  # fmt: skip

    class Meta:
        model = SurveyUnit
        fields = ["name", "region", "target", "is_active"]
        localized_fields = ["target"]  # "3,90" as written in Indonesian, or "3.90"
        # Seen: "100" told of "digits before the decimal point", not of the index's range.
        error_messages = {
            "target": dict.fromkeys(
                ("max_digits", "max_whole_digits", "max_decimal_places"),
                _("Give an index from 1 to 4 with at most two decimals, e.g. 3.90."),
            )
        }


def parts() -> list[tuple[str, str]]:
    """The year's quarters and months, named in the reader's language."""
    return [
        ("", _("Whole year")),
        *[(f"Q{q}", _("Quarter %(q)d") % {"q": q}) for q in range(1, 5)],
        *[(f"{m:02d}", MONTHS[m]) for m in range(1, 13)],
    ]


class PeriodForm(StyledFormMixin, forms.Form):
    """The results' period: a year with an optional quarter or month, or a date range."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    part = forms.ChoiceField(label=_("Quarter or month"), choices=parts, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if bool(start) != bool(end):
            self.add_error("end" if start else "start", _("Give both dates of the range."))
        elif start and end and end < start:
            self.add_error("end", _("The end of the range lies before its start."))
        return data

    def period_text(self) -> str | None:
        """The period as ?period= writes it, or None when the form gives none."""
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return f"{data['start']:%Y-%m-%d}..{data['end']:%Y-%m-%d}"
        if data.get("year"):
            part = data.get("part") or ""
            if part.startswith("Q"):
                return f"{data['year']}-{part}"
            return f"{data['year']}-{part}" if part else str(data["year"])
        return None
