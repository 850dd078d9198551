"""Forms of the outreach pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, StyledFormMixin
from cases.forms import village_select
from rehab.models.episodes import Outreach


class OutreachForm(StyledFormMixin, forms.Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    village = village_select()
    reported_by = forms.ChoiceField(label=_("Reported by"), choices=Outreach.ReportedBy.choices)
    reporter = forms.CharField(
        label=_("Reporter (name or institution)"), max_length=150, required=False
    )
    person_name = forms.CharField(
        label=_("Name of the person found"), max_length=150, required=False,
        help_text=_("Leave empty if the name is not known yet."),
    )  # fmt: skip
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The person's situation and the family's, and what was agreed."),
    )  # fmt: skip

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)
