"""Forms of the aid pages: hand-overs and follow-up visits."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aid.money import format_rupiah
from atensi.forms import DateInput, StyledFormMixin

SELF = "self"


class HandoverForm(StyledFormMixin, forms.Form):
    """Which remaining items, to whom, when and where; the signed record's photo or scan."""

    items = forms.MultipleChoiceField(label=_("Items handed over"),
                                      widget=forms.CheckboxSelectMultiple)  # fmt: skip
    recipient = forms.ChoiceField(label=_("Received by"))
    handed_on = forms.DateField(label=_("Date of hand-over"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    officer_nip = forms.CharField(
        label=_("Your NIP"), max_length=30, required=False,
        help_text=_("18 digits, printed under your name on the record. Leave it empty if "
                    "you have none."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    witness_name = forms.CharField(
        label=_("Witness"), max_length=150, required=False,
        help_text=_("Optional: who witnessed the hand-over."),
    )  # fmt: skip
    witness_role = forms.CharField(
        label=_("Witness's role or relationship"), max_length=150, required=False,
        help_text=_("For example village head, head of the RT, or the client's uncle."),
    )  # fmt: skip
    evidence = forms.FileField(
        label=_("Signed record (photo or scan)"), required=False,
        help_text=_("JPG, PNG or PDF. You can also add it later."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf",
                                               "capture": "environment"}),
    )  # fmt: skip

    def __init__(self, *args, proposal, remaining, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining = {str(i.pk): i for i in remaining}
        self.family = {str(m.pk): m for m in family}
        self.fields["items"].choices = [
            (pk, f"{i.aid_item.name} × {i.quantity} ({format_rupiah(i.value)})")
            for pk, i in self.remaining.items()
        ]
        self.fields["items"].initial = list(self.remaining)
        self.fields["recipient"].choices = [
            (SELF, _("%(name)s (the client)") % {"name": proposal.client.full_name}),
            *((pk, f"{m.full_name} ({m.get_relation_display()})") for pk, m in self.family.items()),
        ]
        self.fields["handed_on"].initial = timezone.localdate()

    def chosen_items(self):
        return [self.remaining[pk] for pk in self.cleaned_data["items"]]

    def recipient_member(self):
        return self.family.get(self.cleaned_data["recipient"])


class EvidenceForm(StyledFormMixin, forms.Form):
    evidence = forms.FileField(
        label=_("Signed record (photo or scan)"), help_text=_("JPG, PNG or PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf",
                                               "capture": "environment"}),
    )  # fmt: skip


class FollowUpForm(StyledFormMixin, forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Result of the visit"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Visited")), ("no", _("Not reached"))], initial="yes",
    )  # fmt: skip
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    business_running = forms.NullBooleanField(
        label=_("Is the business running?"), required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )  # fmt: skip
    monthly_income = forms.IntegerField(label=_("Monthly income (Rp)"), min_value=0,
                                        required=False)  # fmt: skip
    usage = forms.CharField(label=_("How the aid is used"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, entrepreneurship: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        if not entrepreneurship:
            del self.fields["business_running"]
            del self.fields["monthly_income"]


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
