"""Forms of the IBM unit pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, PhoneField, StyledFormMixin
from cases.forms import village_select


class IbmUnitForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the unit"), max_length=150)
    village = village_select()
    established_on = forms.DateField(label=_("Set up on"), widget=DateInput(), required=False)

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)


class IbmUnitEditForm(IbmUnitForm):
    is_active = forms.BooleanField(label=_("The unit is active"), required=False)


class RecoveryAgentForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = PhoneField(required=False)
    trained_on = forms.DateField(label=_("Trained on"), widget=DateInput(), required=False)
