from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.PasswordChangeView.as_view(), name="password-change"),
    path("dua-faktor/", views.two_factor, name="two-factor"),
    path("dua-faktor/matikan/", views.two_factor_disable, name="two-factor-disable"),
]
