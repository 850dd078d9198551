import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from atensi.errors import ApplicationError

from . import services
from .forms import LoginForm, TotpConfirmForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out on the website ends the person's API tokens too: a token left behind on a
    shared office computer must not outlive the sign-out."""

    def post(self, request, *args, **kwargs):
        user = request.user
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:
            services.api_tokens_revoke(user=user, by=user, request=request)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@login_required
def two_factor(request):
    """Enable two-factor login with an authenticator app (TOTP), or turn it off."""
    enabled = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_confirm(
                user=request.user, token=form.cleaned_data["token"], request=request
            )
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            messages.success(
                request, _("Two-factor login is on. You will be asked for a code at login.")
            )
            return redirect("home")
    context = {
        "enabled": enabled,
        "form": form,
        "required": request.user.role in settings.TWO_FACTOR_REQUIRED_ROLES,
    }
    if not enabled:
        device = services.totp_device_pending(user=request.user)
        context["qr"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_POST
def two_factor_disable(request):
    """Turning two-factor login off needs the password, so an open session is not enough."""
    if not request.user.check_password(request.POST.get("password", "")):
        messages.error(request, _("The password is not correct; two-factor login stays on."))
        return redirect("accounts:two-factor")
    try:
        services.totp_disable(user=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Two-factor login is off."))
    return redirect("accounts:two-factor")
