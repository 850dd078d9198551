"""Form helpers shared by every app's pages."""

from django import forms

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
