from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atensi.forms import DateInput, StyledFormMixin


class RegisterImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Register extract"),
        help_text=_(
            "CSV (also gzip-compressed) or XLSX with the columns id_dtsen, nik, no_kk, nama, "
            "tgl_lahir, jenis_kelamin, kode_wilayah, alamat, desil."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gz,.xlsx,.txt"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        initial="DTSEN",
        help_text=_("Where the extract comes from, for example “DTSEN Kemensos”."),
    )
    extract_date = forms.DateField(
        label=_("Extract date"),
        widget=DateInput(),
        help_text=_("The date the extract was taken from the register."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extract_date"].initial = timezone.localdate()
