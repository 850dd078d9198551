"""Forms of a programme's budget: its ceiling, period and funding source, and what each ATENSI
component is allocated out of the ceiling."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aid.models import Programme
from assessments.models.assessment import Component
from atensi.forms import DateInput, StyledFormMixin

# A bound far above any programme's budget, below what a BIGINT column holds.
MAX_RUPIAH = 10**15


def _rupiah_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_RUPIAH,
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}), **kwargs,
    )  # fmt: skip


class ProgrammeBudgetForm(StyledFormMixin, forms.Form):
    """A programme's budget ceiling (whole rupiah), period and funding source."""

    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Programme.Funding.choices)
    budget_ceiling = _rupiah_field(
        _("Budget ceiling (Rp)"),
        help_text=_("Whole rupiah, without dots. It cannot be below what is already allocated "
                    "to the components."),
    )  # fmt: skip
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class AllocationForm(StyledFormMixin, forms.Form):
    """What each of the seven ATENSI components is allocated (`alloc_<component>`, whole
    rupiah, 0 for nothing), with what the page showed (`was_<component>`, hidden) so that a
    change made meanwhile by someone else is refused instead of overwritten, and a reason."""

    reason = forms.CharField(
        label=_("Reason"), max_length=300,
        help_text=_("Why the allocation changes, for the ledger: for example the budget "
                    "document (DPA) or the decision behind it."),
    )  # fmt: skip

    def __init__(self, *args, lines: dict, **kwargs):
        """`lines`: {component: {"ceiling", "reserved", "spent"}} of the programme's budget
        lines (a component without one is allocated nothing)."""
        self.lines = lines
        super().__init__(*args, **kwargs)
        for code, label in Component.choices:
            current = lines.get(code, {}).get("ceiling", 0)
            self.fields[f"alloc_{code}"] = _rupiah_field(label)
            self.fields[f"alloc_{code}"].widget.attrs.update({
                "class": "form-control form-control-sm allocation-input",
                "data-allocation": code,
            })  # fmt: skip
            self.fields[f"was_{code}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            self.initial.setdefault(f"alloc_{code}", current)
            self.initial.setdefault(f"was_{code}", current)
        self.order_fields([f for f in self.fields if f != "reason"] + ["reason"])

    def rows(self) -> list[dict]:
        """One row per component for the page: its fields and what it has reserved and spent
        (the least it can be allocated)."""
        rows = []
        for code, label in Component.choices:
            line = self.lines.get(code, {})
            used = line.get("reserved", 0) + line.get("spent", 0)
            rows.append({
                "component": code, "label": label, "field": self[f"alloc_{code}"],
                "was": self[f"was_{code}"], "current": line.get("ceiling", 0), "used": used,
            })  # fmt: skip
        return rows

    def shown_total(self) -> int:
        """The sum of the allocations as the page shows them: as typed when the form was sent
        (anything but a whole number from 0 counts as 0), else the current ones."""
        total = 0
        for code in Component.values:
            name = f"alloc_{code}"
            raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial[name]
            try:
                total += max(int(str(raw).strip()), 0)
            except ValueError:
                continue
        return total

    def allocations(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"alloc_{code}"] for code in Component.values}

    def expected(self) -> dict[str, int]:
        """What the page showed for each component; a missing value is not checked."""
        return {
            code: self.cleaned_data[f"was_{code}"]
            for code in Component.values
            if self.cleaned_data.get(f"was_{code}") is not None
        }
