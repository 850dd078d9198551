from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.errors import ApplicationError
from atensi.forms import DateInput, PhoneField, StyledFormMixin

from .choices import Education, MaritalStatus, Religion, Sex, Substance
from .models import Consent, ConsentWithdrawal, FamilyMember, Referral, Stage

VILLAGE_LABEL = _("Village / kelurahan")


def village_select(label=VILLAGE_LABEL):
    return forms.CharField(
        label=label,
        widget=forms.Select(
            attrs={
                "data-village-picker": "1",
                "data-search-url": reverse_lazy("regions:village_options"),
                "data-placeholder": _("Search village / kelurahan name…"),
                # Said under the list when a search finds several: the list is where to pick.
                "data-found-text": _("%(n)s villages found: choose one in the list below."),
            }
        ),
        help_text=_("Type part of the village name to search within your area."),
    )


class NumberCheckMixin:
    """Check the NIK (against the birth date and sex given), the KK and the dates with the
    rest of the form, so that their errors come in the same round as a missing field's."""

    def clean(self):
        from . import services  # the service's own check: one set of rules and messages

        data = super().clean()
        dates = (("birth_date", services.check_birth_date),
                 ("referral_date", services.check_referral_date))  # fmt: skip
        for name, check in dates:
            if data.get(name) and name in self.fields:
                try:
                    check(data[name])
                except ApplicationError as exc:
                    self.add_error(name, exc.message)
        if data.get("nik") and "nik" in self.fields:
            try:
                services.check_nik(
                    data["nik"], birth_date=data.get("birth_date"), sex=data.get("sex")
                )
            except ApplicationError as exc:
                self.add_error("nik", exc.message)
        if data.get("kk_number") and "kk_number" in self.fields:
            try:
                services.check_kk(data["kk_number"])
            except ApplicationError as exc:
                self.add_error("kk_number", exc.message)
        return data


class ClientForm(NumberCheckMixin, StyledFormMixin, forms.Form):
    nik = forms.CharField(
        label=_("NIK"), max_length=40, help_text=_("16 digits, as on the KTP or family card.")
    )
    kk_number = forms.CharField(label=_("Family card number (KK)"), max_length=40, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    alias = forms.CharField(label=_("Alias"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    religion = forms.ChoiceField(
        label=_("Religion"), choices=[("", "—"), *Religion.choices], required=False
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Education.choices], required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=[("", "—"), *MaritalStatus.choices], required=False
    )
    phone = PhoneField(required=False)
    address = forms.CharField(label=_("Address"), max_length=255)
    village = village_select()
    substances = forms.MultipleChoiceField(
        label=_("Substances used"),
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_probable_duplicate = forms.BooleanField(
        label=_("I have checked: this is a different person, register anyway."), required=False
    )

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = list(village_choices)


class ClientEditForm(ClientForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["nik"]
        del self.fields["allow_probable_duplicate"]


class ConsentForm(StyledFormMixin, forms.Form):
    basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=Consent.Basis.choices, initial=Consent.Basis.CONSENT
    )
    given_by = forms.ChoiceField(
        label=_("Consent given by"), choices=Consent.GivenBy.choices, initial="client"
    )
    given_by_name = forms.CharField(
        label=_("Name of the parent or guardian"), max_length=150, required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=Consent.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        # None ticked: consent is recorded for the purposes the caseworker ticks, never by a
        # form sent as it came.
        help_text=_("Tick each purpose the person agreed to (or the lawful basis covers)."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the service proceeds without consent: say why."),
    )

    def clean(self):
        """The service's checks of a consent, all in this round (with the fields' own)."""
        data = super().clean()
        from . import services  # the service's own checks: one set of rules and messages

        for name, message in services.consent_problems(
            given_by=data.get("given_by", ""), basis=data.get("basis", ""),
            purposes=data.get("purposes") or [], date=data.get("date"),
            given_by_name=(data.get("given_by_name") or "").strip(), notes=data.get("notes", ""),
        ):  # fmt: skip
            if name not in self.errors:
                self.add_error(name, message)
        return data


class FamilyMemberForm(StyledFormMixin, forms.Form):
    relation = forms.ChoiceField(
        label=_("Relation"), choices=[("", "—"), *FamilyMember.Relation.choices]
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    nik = forms.CharField(label=_("NIK"), max_length=40, required=False)
    phone = PhoneField(required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ReferralForm(NumberCheckMixin, StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label=_("Source of referral"), choices=Referral.Source.choices)
    referring_officer = forms.CharField(label=_("Referring officer"), max_length=150)
    referral_date = forms.DateField(label=_("Referral date"), widget=DateInput())
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        required=False,
        help_text=_("May be left empty if unknown; the referral is then flagged."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput(), required=False)
    phone = PhoneField(required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    region = village_select(_("Village / kelurahan of residence"))
    substances = forms.MultipleChoiceField(
        label=_("Substances used"),
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urine_test = forms.ChoiceField(label=_("Urine test"), choices=Referral.UrineTest.choices)
    legal_status = forms.ChoiceField(label=_("Legal status"), choices=Referral.LegalStatus.choices)
    reason = forms.CharField(
        label=_("Reason for referral"), widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most %(mb)d MB each.")
        % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, village_choices=(), sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = list(village_choices)
        if sources is not None:
            self.fields["source"].choices = [c for c in Referral.Source.choices if c[0] in sources]


class ReferralCorrectForm(ReferralForm):
    """The referrer corrects its undecided referral: the person and the facts, not the source
    or the files."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["source"]
        del self.fields["attachments"]


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentWithdrawForm(StyledFormMixin, forms.Form):
    withdrawn_by = forms.ChoiceField(
        label=_("Withdrawn by"), choices=Consent.GivenBy.choices[:3], initial="client"
    )
    withdrawn_by_name = forms.CharField(
        label=_("Name of the parent or guardian"), max_length=150, required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes withdrawn"),
        choices=Consent.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nothing new is recorded for these purposes until consent is given again."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason given (optional)"), widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )  # fmt: skip
    retained_basis = forms.ChoiceField(
        label=_("Lawful basis for keeping what is already recorded"),
        choices=ConsentWithdrawal.RetainedBasis.choices,
    )


class DeclineForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DuplicateForm(StyledFormMixin, forms.Form):
    original = forms.ChoiceField(label=_("Original referral"))

    def __init__(self, *args, originals=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Nothing chosen for the user: marking a referral a duplicate of the wrong one
        # hides it, so the original is always picked by hand.
        self.fields["original"].choices = [
            ("", "—"),
            *((str(r.pk), f"{r.reference} · {r.full_name} · {r.referral_date:%d-%m-%Y}")
              for r in originals),
        ]  # fmt: skip


class TransitionForm(StyledFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to stage"))
    # "Where is the client referred to?" is one question with two ways to answer it: an
    # organisation of the system, or else any other place, written out.
    referred_to_org = forms.ModelChoiceField(
        label=_("An organisation that works in ATENSI"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("It then sees the client and can take the case over."),
    )
    referred_to = forms.CharField(
        label=_("Or another place, if it is not in the list"),
        max_length=200,
        required=False,
        help_text=_("The name of the medical rehab, IPWL or organisation outside ATENSI."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    next_action_due = forms.DateField(
        label=_("Next action due"), widget=DateInput(), required=False
    )

    def __init__(self, *args, stages=(), organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s, Stage(s).label) for s in stages]
        if organisations is not None:
            self.fields["referred_to_org"].queryset = organisations


class HandoverForm(StyledFormMixin, forms.Form):
    """The reason a centre gives for taking over a case referred out to it."""

    reason = forms.CharField(
        label=_("Reason for taking over"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why your organisation takes the client over.")},
    )


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StyledFormMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Caseworker"))

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, str(u)) for u in users]
