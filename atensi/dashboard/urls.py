from django.urls import path

from . import report_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("hitung-ulang/", views.refresh, name="refresh"),
    path("laporan/", report_views.report_index, name="report"),
    path("laporan/<uuid:pk>/", report_views.report_job, name="report-job"),
    path("laporan/<uuid:pk>/progres/", report_views.report_progress, name="report-progress"),
    path("laporan/<uuid:pk>/unduh/", report_views.report_download, name="report-download"),
]
