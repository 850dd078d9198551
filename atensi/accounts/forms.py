from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm

from atensi.forms import StyledFormMixin


class LoginForm(StyledFormMixin, OTPAuthenticationForm):
    """Username and password, plus the six-digit code for users who enabled two-factor login."""

    otp_device = None
    otp_challenge = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["otp_token"].label = _("Two-factor code")
        self.fields["otp_token"].help_text = _("Only if you enabled two-factor login.")
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )


class TotpConfirmForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
