"""Form helpers shared by every app's pages."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from atensi.errors import ApplicationError


class StyledFormMixin:
    """Give widgets the Bootstrap classes the templates expect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_application_error(self, exc: ApplicationError) -> None:
        """Show a service's refusal next to the field it names, or above the form."""
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# "1200000", "1.200.000", "1 200 000", "Rp 1.200.000", "Rp1.200.000,-" or ",00": whole rupiah
# with dots, spaces or commas between groups of three digits.
_RUPIAH = re.compile(r"^(?:rp\.?)?(\d{1,3}(?:([.,\s])\d{3})?(?:\2\d{3})*|\d+)(?:,-|,00)?$")


def parse_rupiah(text: str) -> int | None:
    """The whole rupiah in `text` as people write them, or None when it is not that."""
    compact = re.sub(r"[\s\u00a0]+", " ", text.strip().lower())
    compact = re.sub(r"^rp\.?\s*", "rp", compact)
    match = _RUPIAH.match(compact)
    if match is None:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


class RupiahField(forms.IntegerField):
    """Whole rupiah, typed as people write them: "1.200.000", "1 200 000", "Rp 1.200.000"."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Give the amount in whole rupiah, for example 1.200.000."),
    }

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        amount = parse_rupiah(str(value))
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
_PHONE = re.compile(r"^(?:\+62|62|0)\d{7,13}$")


class PhoneField(forms.CharField):
    """An Indonesian phone number as people write it ("0812-3456-7890", "+62 812 3456 7890"),
    kept as its digits (and a leading +)."""

    default_error_messages = {
        "invalid": _("Write the phone number in digits, starting with 0 or +62, for example "
                     "0812 3456 7890."),
    }  # fmt: skip

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("Phone"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        compact = _PHONE_SEPARATORS.sub("", value)
        if not _PHONE.match(compact):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return compact
