"""Forms of the rehabilitation pages: start an episode, its phases, sessions and end, and
the aftercare follow-ups. The services check the rules; the forms bind and convert."""

from itertools import groupby

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import User
from atensi.forms import DateInput, StyledFormMixin
from cases.choices import Substance
from rehab.models import AftercareFollowUp, Episode, EpisodePhase, IbmUnit, RecoveryAgent, Session


def _notes(label, rows=3):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class EpisodeForm(StyledFormMixin, forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None, empty_label=None)
    modality = forms.ChoiceField(
        label=_("Modality"), choices=[("", "—"), *Episode.Modality.choices]
    )
    ibm_unit = forms.ModelChoiceField(
        label=_("IBM unit"), queryset=IbmUnit.objects.none(), required=False, empty_label="—",
        help_text=_("For community-based recovery only."),
    )  # fmt: skip
    recovery_agent = forms.ModelChoiceField(
        label=_("Recovery agent"),
        queryset=RecoveryAgent.objects.none(),
        required=False,
        empty_label="—",
    )
    referred_to = forms.CharField(
        label=_("Referred to"), max_length=200, required=False,
        help_text=_("For a referral onward: the BNN rehabilitation centre, hospital or IPWL."),
    )  # fmt: skip
    referral_accepted_on = forms.DateField(
        label=_("Accepted there on"), required=False, widget=DateInput()
    )
    legal_route = forms.ChoiceField(
        label=_("Legal route"), choices=[("", "—"), *Episode.LegalRoute.choices]
    )
    court_decision_no = forms.CharField(
        label=_("Court decision number"), max_length=100, required=False
    )
    court_decision_date = forms.DateField(
        label=_("Court decision date"), required=False, widget=DateInput()
    )
    tat_assessed_on = forms.DateField(
        label=_("Assessed by the integrated assessment team (TAT) on"), required=False,
        widget=DateInput(), help_text=_("Where the law asks for it: arrests and court cases."),
    )  # fmt: skip
    tat_recommendation = _notes(_("TAT recommendation"), rows=2)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())
    planned_end_on = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    worker = forms.ModelChoiceField(
        label=_("Responsible worker"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args, providers, by, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [o.pk for o in providers]
        self.fields["provider"].queryset = providers[0].__class__.objects.filter(pk__in=ids)
        self.fields["provider"].initial = by.organisation_id
        units = IbmUnit.objects.filter(is_active=True, organisation_id__in=ids)
        self.fields["ibm_unit"].queryset = units
        self.fields["recovery_agent"].queryset = RecoveryAgent.objects.filter(
            unit__in=units, is_active=True
        ).select_related("unit")
        self.fields["recovery_agent"].label_from_instance = lambda a: f"{a.full_name} ({a.unit})"
        self.fields["worker"].queryset = User.objects.filter(
            organisation_id__in=ids, is_active=True,
            role__in=[User.Role.CASEWORKER, User.Role.SUPERVISOR, User.Role.CENTRE,
                      User.Role.REFERRER],
        ).select_related("organisation")  # fmt: skip
        # Grouped under their organisation (the provider they work for), the user's own first.
        workers = sorted(
            self.fields["worker"].queryset,
            key=lambda u: (u.organisation_id != by.organisation_id, str(u.organisation),
                           (u.get_full_name() or u.username).lower()),
        )  # fmt: skip
        self.fields["worker"].choices = [
            (str(organisation), [(u.pk, u.get_full_name() or u.username) for u in group])
            for organisation, group in groupby(workers, key=lambda u: u.organisation)
        ]
        self.fields["worker"].initial = by.pk
        self.fields["started_on"].initial = timezone.localdate()

    def clean(self):
        """The service's checks of the fields, all in this round rather than one refusal a
        save (``services.start_problems``)."""
        from rehab.services import episodes as services  # the services' own rules and words

        data = super().clean()
        names = ("provider", "modality", "legal_route", "started_on", "worker", "planned_end_on",
                 "ibm_unit", "recovery_agent", "referred_to", "referral_accepted_on",
                 "court_decision_no", "court_decision_date", "tat_assessed_on")  # fmt: skip
        for name, message in services.start_problems(**{n: data.get(n) for n in names}):
            if name not in self.errors:
                self.add_error(name, message)
        return data


class PhaseForm(StyledFormMixin, forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=EpisodePhase.Phase.choices)
    started_on = forms.DateField(label=_("Starts on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class SessionForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Session.Attendance.choices)
    urine_result = forms.ChoiceField(
        label=_("Urine test result"), required=False,
        choices=[("", "—"), *Session.UrineResult.choices],
    )  # fmt: skip
    substances_found = forms.MultipleChoiceField(
        label=_("Substances found"), choices=Substance.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = _notes(_("Notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Episode.Outcome.choices])
    note = _notes(_("Note on the outcome"), rows=2)
    # Community-based care names its unit and a referral its destination: those start from
    # the new-episode form (the same modality keeps this episode's unit or destination).
    relapse_modality = forms.ChoiceField(
        label=_("After a relapse, the new episode's modality"), required=False,
        choices=[("", _("The same as this one")), *[
            (value, label) for value, label in Episode.Modality.choices
            if value not in (Episode.Modality.COMMUNITY, Episode.Modality.REFERRAL)
        ]],
        help_text=_("Community-based care and a referral onward continue with this "
                    "episode's unit or destination."),
    )  # fmt: skip
    relapse_started_on = forms.DateField(
        label=_("The new episode starts on"), required=False, widget=DateInput(),
        help_text=_("Default: the day this one ends."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, required=False, empty_value=None,
        coerce=lambda v: v == "yes",
    )  # fmt: skip


class FollowUpForm(StyledFormMixin, forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Result"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Reached")), ("no", _("Not reached"))], initial="yes",
    )  # fmt: skip
    contacted_on = forms.DateField(label=_("Contacted on"), widget=DateInput())
    used_since = _yes_no(_("Substance use since the last contact"))
    substances = forms.MultipleChoiceField(
        label=_("Substances used"), choices=Substance.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    urine_test = forms.ChoiceField(
        label=_("Urine test"), choices=AftercareFollowUp.UrineTest.choices, required=False
    )
    activity = forms.ChoiceField(
        label=_("Work or schooling"), required=False,
        choices=[("", "—"), *AftercareFollowUp.Activity.choices],
    )  # fmt: skip
    relapse = _yes_no(_("Relapse"))
    note = _notes(_("Note"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()
