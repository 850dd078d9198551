"""Forms of the aid pages: proposals, decrees and programmes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aid.models import AidItem
from aid.money import format_rupiah
from atensi.forms import DateInput, StyledFormMixin

MAX_QUANTITY = 10_000


class ItemQuantitiesMixin:
    """One quantity field per catalogue item (`qty_<item id>`); `chosen_items()` gives the
    (item, quantity) pairs above zero, in catalogue order. Each input carries its unit cost,
    component and programme for the running total (static/js/proposal-total.js)."""

    def add_item_fields(self, items) -> None:
        self.items = list(items)
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=item.name, min_value=0, max_value=MAX_QUANTITY, required=False, initial=0,
                widget=forms.NumberInput(attrs={
                    "class": "form-control form-control-sm qty-input",
                    "data-unit-cost": item.unit_cost, "data-component": item.component,
                    "data-programme": item.programme_id,
                }),
            )  # fmt: skip

    def quantities(self) -> dict:
        """The quantity the page shows for each item id: as typed when the form was sent (a
        whole number from 0; anything else counts as 0), else the initial one."""
        shown = {}
        for item in self.items:
            name = f"qty_{item.pk}"
            if self.is_bound:
                raw = self.data.get(self.add_prefix(name))
            else:
                raw = self.initial.get(name, self.fields[name].initial)
            try:
                quantity = int(str(raw).strip())
            except ValueError:
                quantity = 0
            shown[item.pk] = min(max(quantity, 0), MAX_QUANTITY)
        return shown

    def item_rows(self):
        return [(item, self[f"qty_{item.pk}"]) for item in self.items]

    def item_lines(self):
        """(item, quantity field, value of the line as shown) for each catalogue item."""
        shown = self.quantities()
        return [(item, self[f"qty_{item.pk}"], shown[item.pk] * item.unit_cost)
                for item in self.items]  # fmt: skip

    def chosen_items(self, programme=None) -> list[tuple[AidItem, int]]:
        return [
            (item, self.cleaned_data.get(f"qty_{item.pk}") or 0)
            for item in self.items
            if self.cleaned_data.get(f"qty_{item.pk}")
            and (programme is None or item.programme_id == programme.pk)
        ]

    def check_chosen(self, chosen, data) -> None:
        """At least one item; a business plan with an entrepreneurship item."""
        if not chosen:
            raise forms.ValidationError(_("Give a quantity for at least one item of the "
                                          "chosen programme."))  # fmt: skip
        kinds = {item.kind for item, _qty in chosen}
        if AidItem.Kind.ENTREPRENEURSHIP in kinds and not data.get("business_plan", "").strip():
            self.add_error("business_plan", _("Entrepreneurship aid needs a business plan."))


def _business_plan_field(rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=_("Business plan"), required=False, widget=forms.Textarea(attrs={"rows": rows}),
        help_text=_("Required for entrepreneurship aid: the existing business and what the "
                    "aid will be used for."),
    )  # fmt: skip


class ProposalForm(ItemQuantitiesMixin, StyledFormMixin, forms.Form):
    """Propose one client: a programme, quantities of its items, and a business plan when an
    entrepreneurship item is chosen (the service refuses at submission without one)."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, empty_label="—")
    business_plan = _business_plan_field()

    def __init__(self, *args, programmes, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.add_item_fields(items)

    def chosen_programme_id(self) -> str:
        """The programme chosen on the page as sent (or initially), "" when none."""
        value = self.data.get(self.add_prefix("programme")) if self.is_bound else (
            self.initial.get("programme")
        )  # fmt: skip
        return str(getattr(value, "pk", value) or "")

    def clean(self):
        data = super().clean()
        programme = data.get("programme")
        if programme is not None:
            self.check_chosen(self.chosen_items(programme), data)
        return data


class ProposalItemsForm(ItemQuantitiesMixin, StyledFormMixin, forms.Form):
    """Change a draft: the quantities of its programme's items (0 removes one) and its
    business plan."""

    business_plan = _business_plan_field()

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_item_fields(items)

    def clean(self):
        data = super().clean()
        self.check_chosen(self.chosen_items(), data)
        return data


class BatchProposalForm(ItemQuantitiesMixin, StyledFormMixin, forms.Form):
    """The items the people proposed from a batch receive (optional: drafts can be filled
    in one by one later); entrepreneurship items and the business plan only those whose
    assessment records a business (the service decides)."""

    business_plan = forms.CharField(
        label=_("Business plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Given only to people whose assessment records an existing business, "
                    "with the entrepreneurship items. Make it each person's own on their "
                    "draft."),
    )  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_item_fields(items)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ProposalCheckboxes(forms.CheckboxSelectMultiple):
    """A checkbox per proposal carrying its value (data-value) for the running total of the
    decree form (static/js/decree-total.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        proposal = getattr(value, "instance", None)
        if proposal is not None:
            option["attrs"]["data-value"] = proposal.value
        return option


class DecreeForm(StyledFormMixin, forms.Form):
    """Approve the chosen verified proposals with one decree."""

    number = forms.CharField(label=_("Decree number"), max_length=100)
    date = forms.DateField(label=_("Decree date"), widget=DateInput())
    signatory_name = forms.CharField(label=_("Signed by"), max_length=150)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=150)
    proposals = forms.ModelMultipleChoiceField(
        label=_("Verified proposals"), queryset=None, widget=ProposalCheckboxes,
        to_field_name="reference",
    )  # fmt: skip

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals
        # Enough to decide on: who (name, masked NIK, village) and how much.
        self.fields["proposals"].label_from_instance = lambda p: (
            f"{p.reference} · {p.client.full_name} · {p.client.masked_nik} · "
            f"{p.client.village.name} · {format_rupiah(p.value)}"
        )

    def chosen(self) -> list:
        """The offered proposals that are ticked on the page (as sent, or initially)."""
        name = self.add_prefix("proposals")
        if self.is_bound:
            references = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        else:
            references = self.initial.get("proposals") or []
        references = {str(reference) for reference in references}
        return [p for p in self.fields["proposals"].queryset if p.reference in references]
