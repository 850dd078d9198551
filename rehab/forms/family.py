"""Forms of the family guidance pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, PhoneField, StyledFormMixin
from cases.forms import village_select


class SeriesForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    village = village_select()
    planned_meetings = forms.IntegerField(
        label=_("Planned number of meetings"), min_value=1, max_value=52, initial=4
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)


class SessionForm(StyledFormMixin, forms.Form):
    series = forms.ChoiceField(label=_("Series"), required=False)
    meeting_number = forms.IntegerField(
        label=_("Meeting number"), min_value=1, max_value=52, required=False,
        help_text=_("Only for a session of a series."),
    )  # fmt: skip
    date = forms.DateField(label=_("Date"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("E.g. the village hall (balai desa).")
    )
    village = village_select()
    facilitator = forms.CharField(label=_("Facilitator"), max_length=150)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, village_choices=(), series=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.series = {str(s.pk): s for s in series}
        self.fields["series"].choices = [("", _("— none (a single session) —"))] + [
            (pk, str(s)) for pk, s in self.series.items()
        ]
        self.fields["village"].widget.choices = list(village_choices)

    def clean_series(self):
        return self.series.get(self.cleaned_data["series"])


class MembersForm(StyledFormMixin, forms.Form):
    members = forms.MultipleChoiceField(
        label=_("Family members of clients"), widget=forms.CheckboxSelectMultiple
    )
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["members"].choices = [
            (pk, f"{m.full_name} ({m.get_relation_display()} — {m.client.full_name}, "
             f"{m.client.village.name})")
            for pk, m in self.members.items()
        ]  # fmt: skip

    def chosen(self):
        return [self.members[pk] for pk in self.cleaned_data["members"]]


class WalkInForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    relation = forms.CharField(
        label=_("Relation or role"), max_length=100, required=False,
        help_text=_("E.g. mother of a young person in the village, village cadre."),
    )  # fmt: skip
    phone = PhoneField(required=False)
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)


class FilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    village = forms.ChoiceField(label=_("Village"), required=False)
    series = forms.ChoiceField(label=_("Series"), required=False)

    def __init__(self, *args, villages=(), series=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("All villages"))] + list(villages)
        self.fields["series"].choices = [("", _("All series"))] + [
            (str(s.pk), str(s)) for s in series
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select" if name in ("village", "series") else ("form-control")
            )


class SeriesEditForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    planned_meetings = forms.IntegerField(
        label=_("Planned number of meetings"), min_value=1, max_value=52
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
