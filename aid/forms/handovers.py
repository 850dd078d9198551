"""Forms of the aid pages: hand-overs and follow-up visits."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aid.money import format_rupiah
from aid.services.followups import days_early, is_early
from atensi.forms import DateInput, RupiahField, StyledFormMixin

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
    """A follow-up visit. A date well before the visit is due is asked about once (`early`):
    allowed, but a mistyped date or the wrong visit is the likelier cause."""

    reached = forms.TypedChoiceField(
        label=_("Result of the visit"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Visited")), ("no", _("Not reached"))], initial="yes",
    )  # fmt: skip
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    early = forms.BooleanField(
        label=_("Yes, the visit took place this early: record it as it is"), required=False
    )
    business_running = forms.NullBooleanField(
        label=_("Is the business running?"), required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )  # fmt: skip
    monthly_income = RupiahField(label=_("Monthly income (Rp)"), min_value=0, required=False,
                                 help_text=_("Whole rupiah, for example 1.200.000."))  # fmt: skip
    usage = forms.CharField(label=_("How the aid is used"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, followup, entrepreneurship: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.followup = followup
        self.fields["visited_on"].initial = timezone.localdate()
        if not entrepreneurship:
            del self.fields["business_running"]
            del self.fields["monthly_income"]
        # The confirmation is offered only once the date was found early.
        self.ask_early = False

    def clean(self):
        data = super().clean()
        visited_on = data.get("visited_on")
        if visited_on is not None and is_early(self.followup, visited_on) and not data.get("early"):
            self.ask_early = True
            self.add_error("visited_on", _(
                "This %(months)d-month visit is due on %(due)s, %(days)d days after "
                "this date. Check the date; if the visit really took place then, tick the box "
                "below and save again."
            ) % {
                "months": self.followup.months, "due": f"{self.followup.due_on:%d-%m-%Y}",
                "days": days_early(self.followup, visited_on),
            })  # fmt: skip
        return data


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
