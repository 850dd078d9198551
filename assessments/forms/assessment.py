from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.errors import ApplicationError
from atensi.forms import DateInput, RupiahField, StyledFormMixin

from ..models import Assessment, AssessmentDomain
from ..models.assessment import Component, Modality
from ..services import assessment as services

Domain = AssessmentDomain.Domain

# The ASI rating scale, as the social worker reads it out to the client.
RATING_CHOICES = [
    (0, _("not at all")),
    (1, _("slightly")),
    (2, _("moderately")),
    (3, _("considerably")),
    (4, _("extremely")),
]
RATINGS = {
    "troubled": _("How troubled is the client by problems in this area?"),
    "help_needed": _("How much help does the client need in this area?"),
}
SOCIAL_FIELDS = (
    "strengths", "family_support", "family_notes", "economic_situation", "housing",
    "spirituality",
)  # fmt: skip
BUSINESS_FIELDS = ("business_kind", "business_since", "business_monthly_income")
RESULT_FIELDS = ("recommended_components", "recommended_modality", "summary")


def _text(label, rows=2, help_text=""):
    return forms.CharField(
        label=label, required=False, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )  # fmt: skip


def _rating(label):
    return forms.TypedChoiceField(
        label=label, choices=RATING_CHOICES, coerce=int, empty_value=None, required=False,
        widget=forms.RadioSelect,
    )  # fmt: skip


class AssessmentForm(StyledFormMixin, forms.Form):
    """The whole assessment on one page: date, the six ASI domains, the social view, the
    small business, and the result."""

    assessed_on = forms.DateField(label=_("Date of assessment"), widget=DateInput())
    strengths = _text(_("Strengths"), help_text=_("What the client and family can build on."))
    family_support = forms.ChoiceField(
        label=_("Family support"),
        choices=[("", "—"), *Assessment.FamilySupport.choices],
        required=False,
    )
    family_notes = _text(_("Family situation"))
    economic_situation = _text(_("Economic situation"))
    housing = _text(_("Housing"))
    spirituality = _text(_("Spirituality"))
    has_business = forms.BooleanField(
        label=_("The client runs a small business (embrio usaha)"), required=False
    )
    business_kind = forms.CharField(label=_("Kind of business"), max_length=150, required=False)
    business_since = forms.DateField(label=_("Running since"), widget=DateInput(), required=False)
    business_monthly_income = RupiahField(
        label=_("Monthly income (Rp)"), min_value=0, required=False,
        help_text=_("0 if nothing yet."),
    )  # fmt: skip
    recommended_components = forms.MultipleChoiceField(
        label=_("Recommended ATENSI components"),
        choices=Component.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recommended_modality = forms.ChoiceField(
        label=_("Recommended rehabilitation modality"),
        choices=[("", "—"), *Modality.choices],
        required=False,
    )
    summary = _text(_("Summary"), rows=3)

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict:
        initial = {name: getattr(assessment, name) for name in ("assessed_on", *SOCIAL_FIELDS,
                   "has_business", *BUSINESS_FIELDS, *RESULT_FIELDS)}  # fmt: skip
        for row in assessment.domains.all():
            initial[f"asi_{row.domain}_notes"] = row.notes
            initial[f"asi_{row.domain}_troubled"] = row.troubled
            initial[f"asi_{row.domain}_help_needed"] = row.help_needed
        return initial

    def domain_rows(self):
        """(label, notes, ratings) per domain, in the instrument's order, for the template."""
        return [
            {
                "name": domain,
                "label": label,
                "notes": self[f"asi_{domain}_notes"],
                "ratings": [self[f"asi_{domain}_{name}"] for name in RATINGS],
            }
            for domain, label in Domain.choices
        ]

    def domains(self) -> dict:
        data = self.cleaned_data
        return {
            domain: {
                "notes": data[f"asi_{domain}_notes"],
                **{name: data[f"asi_{domain}_{name}"] for name in RATINGS},
            }
            for domain in Domain.values
        }

    def assessment_fields(self) -> dict:
        data = self.cleaned_data
        names = ("assessed_on", *SOCIAL_FIELDS, "has_business", *BUSINESS_FIELDS, *RESULT_FIELDS)
        return {name: data[name] for name in names}

    def clean(self):
        """The service's checks of each field, all in this round rather than one refusal a
        save: a domain with notes or one rating but not both ratings, and every gap of the
        small business."""
        data = super().clean()
        for domain in Domain.values:
            names = [f"asi_{domain}_{rating}" for rating in RATINGS]
            given = [data.get(name) for name in names]
            notes = (data.get(f"asi_{domain}_notes") or "").strip()
            if notes or any(value is not None for value in given):
                for name, value in zip(names, given, strict=True):
                    if value is None and name not in self.errors:
                        self.add_error(name, services.both_ratings(domain))
        business = {name: data.get(name) for name in ("has_business", *BUSINESS_FIELDS)}
        for name, message in services.business_problems(business):
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def add_application_error(self, exc: ApplicationError) -> None:
        # The service names a domain's input "domains.<domain>.<rating>".
        if exc.field and exc.field.startswith("domains."):
            field = "asi_" + "_".join(exc.field.split(".")[1:])
            exc = ApplicationError(exc.message, field=field, code=exc.code)
        super().add_application_error(exc)


# Three inputs per ASI domain: notes and the two ratings (asi_medical_notes,
# asi_medical_troubled, …); the prefix keeps asi_family_notes apart from family_notes.
for _domain in Domain.values:
    AssessmentForm.base_fields[f"asi_{_domain}_notes"] = _text(_("Notes"))
    for _name, _label in RATINGS.items():
        AssessmentForm.base_fields[f"asi_{_domain}_{_name}"] = _rating(_label)


class PlanItemForm(StyledFormMixin, forms.Form):
    component = forms.ChoiceField(label=_("ATENSI component"), choices=Component.choices)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(
        label=_("Responsible party"),
        max_length=150,
        help_text=_(
            "The person or institution that carries it out, e.g. the family, LKS, puskesmas."
        ),
    )
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())
