from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from atensi import health
from atensi.dashboard.views import home

admin.site.site_header = _("ATENSI administration")
admin.site.site_title = _("ATENSI administration")
admin.site.index_title = _("Users, organisations and reference data")

handler404 = "atensi.api.page_not_found"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon: Chromium's PDF viewer does.
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
    path("akun/", include("atensi.accounts.urls")),
    path("wilayah/", include("atensi.regions.urls")),
    path("audit/", include("atensi.audit.urls")),
    path("dasbor/", include("atensi.dashboard.urls")),
    path("", include("cases.urls")),
    path("", include("assessments.urls")),
    path("", include("aid.urls")),
    path("", include("rehab.urls")),
    path("", include("prevention.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("atensi.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: the CSP forbids inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # The admin signs in through the ATENSI login, which asks for the two-factor code.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]

handler500 = "atensi.outage.server_error"
