from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from atensi.forms import StyledFormMixin


class LoginForm(StyledFormMixin, OTPAuthenticationFormMixin, AuthenticationForm):
    """Username and password; the six-digit code too for users who enabled two-factor login."""

    otp_token = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        help_text=_("Only if you enabled two-factor login."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own Indonesian text of this message repeats "nama pengguna".
        "invalid_login": _(
            "The username or the password is not correct. Mind capital and small letters."
        ),
    }
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _("The two-factor code is not correct. Try the newest code."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")

    def _chosen_device(self, user):
        # One authenticator per user (see services.totp_confirm): no device picker needed.
        return TOTPDevice.objects.filter(user=user, confirmed=True).first()

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            self.clean_otp(user)
        return cleaned


class TotpConfirmForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
