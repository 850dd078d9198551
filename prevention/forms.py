"""Forms of the activity, enforcement and village vulnerability pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, StyledFormMixin
from cases.forms import village_select

from .models import ActivityType, Assessor, Field, Period, Vulnerability

ANY = [("", _("All"))]


class ActivityFilterForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    type = forms.ChoiceField(label=_("Activity type"), required=False)
    field = forms.ChoiceField(label=_("Field of work"), required=False)
    village = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, years=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = ANY + [(y, y) for y in years]
        self.fields["type"].choices = ANY + ActivityType.choices
        self.fields["field"].choices = ANY + Field.choices
        self.fields["village"].choices = ANY + list(places)


class ActivityForm(StyledFormMixin, forms.Form):
    type = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    village = village_select()
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False,
        help_text=_("The building or venue, e.g. SMA Negeri 1 Kayuagung."),
    )  # fmt: skip
    target = forms.CharField(label=_("Target institution or group"), max_length=200, required=False)
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, initial=0,
        help_text=_("For a urine test, left at 0 it becomes the number tested."),
    )  # fmt: skip
    meetings = forms.IntegerField(label=_("Meetings"), min_value=1, initial=1)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)


class UrineRowForm(StyledFormMixin, forms.Form):
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    tested = forms.IntegerField(label=_("Tested"), min_value=0, required=False)
    positive = forms.IntegerField(label=_("Positive"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("institution") and not data.get("tested"):
            self.add_error("tested", _("Give how many were tested."))
        if (data.get("tested") or data.get("positive")) and not data.get("institution"):
            self.add_error("institution", _("Name the institution tested."))
        return data


UrineFormSet = forms.formset_factory(UrineRowForm, extra=3, max_num=50)


def urine_rows(formset) -> list[dict]:
    """The filled-in rows of a valid urine-test formset."""
    return [
        {
            "institution": f.cleaned_data["institution"],
            "tested": f.cleaned_data["tested"],
            "positive": f.cleaned_data.get("positive") or 0,
        }
        for f in formset.forms
        if f.cleaned_data.get("institution")
    ]


class EnforcementForm(StyledFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    cases = forms.IntegerField(label=_("Cases"), min_value=0)
    suspects = forms.IntegerField(label=_("Suspects"), min_value=0)


class TargetForm(StyledFormMixin, forms.Form):
    target_cases = forms.IntegerField(label=_("Target cases for the year"), min_value=0)


class VillageStatusFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Vulnerability"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    on = forms.DateField(label=_("Status on"), widget=DateInput(), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ANY + Vulnerability.choices
        self.fields["district"].choices = ANY + list(districts)


class VillageStatusForm(StyledFormMixin, forms.Form):
    village = village_select()
    status = forms.ChoiceField(label=_("Vulnerability"), choices=Vulnerability.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    assessed_by = forms.ChoiceField(label=_("Assessed by"), choices=Assessor.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)  # fmt: skip

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)


class DesaBersinarForm(StyledFormMixin, forms.Form):
    designated_on = forms.DateField(label=_("Designated on"), widget=DateInput())
    decree_no = forms.CharField(label=_("Decree number"), max_length=100, required=False)
