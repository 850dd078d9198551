"""The REST API, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from aid.api import register_all as register_aid
from assessments.api import register_all as register_assessments
from atensi.accounts.api import LogoutAllView, LogoutView, MeView, TokenView
from atensi.dashboard.api import DashboardView
from atensi.dashboard.api import register as register_dashboard
from atensi.regions.api import RegionViewSet
from cases.api import CaseViewSet, ClientViewSet, ReferralViewSet
from prevention.api import register as register_prevention
from rehab.api import register_all as register_rehab

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("clients", ClientViewSet, basename="client")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("cases", CaseViewSet, basename="case")
router.register("regions", RegionViewSet, basename="region")
register_assessments(router)
register_aid(router)
register_rehab(router)
register_prevention(router)
register_dashboard(router)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="logout-all"),
    path("me/", MeView.as_view(), name="me"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
