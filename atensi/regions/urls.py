from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("desa/opsi/", views.village_options, name="village_options"),
]
