from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from atensi import health
from atensi.dashboard.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("akun/", include("atensi.accounts.urls")),
    path("wilayah/", include("atensi.regions.urls")),
    path("audit/", include("atensi.audit.urls")),
    path("dasbor/", include("atensi.dashboard.urls")),
    path("", include("cases.urls")),
    path("", include("assessments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("atensi.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
