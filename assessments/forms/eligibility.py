from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from assessments.selectors.register import rows_in_area
from atensi.forms import StyledFormMixin


class BatchForm(StyledFormMixin, forms.Form):
    SOURCES = [
        ("file", _("Upload a proposal list (CSV or XLSX)")),
        ("clients", _("Choose clients")),
    ]

    name = forms.CharField(label=_("Name of the list"), max_length=200)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, empty_label="—")
    snapshot = forms.ModelChoiceField(
        label=_("Register snapshot"),
        queryset=None,
        empty_label="—",
        help_text=_(
            "The DTSEN extract to match against. Only extracts with rows of your area are "
            "offered; the newest that covers your whole area about as fully as any other is "
            "chosen by default."
        ),
    )
    source = forms.ChoiceField(
        label=_("Proposed people"), choices=SOURCES, widget=forms.RadioSelect, initial="file"
    )
    file = forms.FileField(
        label=_("Proposal list"),
        required=False,
        help_text=_(
            "Columns: nik, no_kk, nama, tgl_lahir, jenis_kelamin, kode_wilayah, alamat. "
            "At most 50 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    clients = forms.ModelMultipleChoiceField(
        label=_("Clients"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args, programmes, snapshots, default_snapshot, area_codes, clients, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["snapshot"].queryset = snapshots
        # Source, extract date and the rows of the user's area: a small test extract is not
        # taken for the register.
        self.fields["snapshot"].label_from_instance = lambda s: (
            _("%(snapshot)s · %(rows)s rows in your area")
            % {
                "snapshot": s,
                "rows": formats.number_format(rows_in_area(s, area_codes), force_grouping=True),
            }
        )
        self.fields["snapshot"].initial = default_snapshot
        self.fields["clients"].queryset = clients
        self.fields["clients"].label_from_instance = lambda c: f"{c.full_name} · {c.masked_nik}"

    def clean(self):
        data = super().clean()
        if data.get("source") == "file" and not data.get("file") and "file" not in self.errors:
            self.add_error("file", _("Choose the file of the proposal list."))
        if data.get("source") == "clients" and not data.get("clients"):
            self.add_error("clients", _("Choose at least one client."))
        return data

    def ask_for_the_file_again(self) -> None:
        """A page shown again with an error comes back without the chosen file (no browser
        keeps it): say so beside the field, unless the file is what the error is about."""
        if (
            self.is_bound
            and self.errors
            and self.files.get("file")
            and self.data.get("source") == "file"
            and "file" not in self.errors
        ):
            self.add_error(
                "file", _("Choose the file again: it is not kept when the form has an error.")
            )
