from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class LanguageMiddleware:
    """Indonesian unless the user chose otherwise with the language switcher.

    Pages ignore the browser's Accept-Language (office computers in Indonesia often run an
    English browser); API clients may still ask for a language with that header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            if request.path.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Answers for a signed-in user, and every API answer, may not be stored by a browser
    or a proxy: they carry personal data or credentials. Static files (served before this)
    and public pages keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"
        return response


class AdminStaffOnlyMiddleware:
    """A signed-in user who may not use the admin gets the 403 page there.

    The admin would send them to its login page, which sends signed-in users back to the
    admin: a redirect loop instead of an answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            and not admin.site.has_permission(request)
        ):
            raise PermissionDenied
        return self.get_response(request)


class TwoFactorEnrolmentMiddleware:
    """A signed-in user whose role must use two-factor login (TWO_FACTOR_REQUIRED_ROLES) and
    who has no authenticator yet is sent to set one up before any other page. Signing out,
    the language switch and the API (whose token endpoint asks for the code itself) stay
    open."""

    OPEN_PREFIXES = ("/api/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
            and request.path not in (reverse("accounts:two-factor"), reverse("accounts:logout"))
        ):
            from atensi.accounts.services import two_factor_setup_missing

            if two_factor_setup_missing(user):
                from django.contrib import messages
                from django.shortcuts import redirect

                messages.warning(request, translation.gettext(
                    "Your role must sign in with two-factor login. Set it up now to continue."
                ))  # fmt: skip
                return redirect("accounts:two-factor")
        return self.get_response(request)
