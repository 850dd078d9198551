from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("klien/", views.client_list, name="client-list"),
    path("klien/baru/", views.client_create, name="client-create"),
    path("klien/<uuid:pk>/", views.client_detail, name="client-detail"),
    path("klien/<uuid:pk>/ubah/", views.client_edit, name="client-edit"),
    path("klien/<uuid:pk>/buka-kasus/", views.case_open, name="case-open"),
    path("klien/<uuid:pk>/keluarga/", views.family_add, name="family-add"),
    path("klien/<uuid:pk>/keluarga/<uuid:member_pk>/ubah/", views.family_edit, name="family-edit"),
    path(
        "klien/<uuid:pk>/keluarga/<uuid:member_pk>/hapus/",
        views.family_remove,
        name="family-remove",
    ),
    path("klien/<uuid:pk>/persetujuan/", views.consent_add, name="consent-add"),
    path("klien/<uuid:pk>/data-pribadi/", views.client_personal_data, name="personal-data"),
    path("klien/<uuid:pk>/persetujuan/tarik/", views.consent_withdraw, name="consent-withdraw"),
    path("rujukan/", views.referral_list, name="referral-list"),
    path("rujukan/baru/", views.referral_create, name="referral-create"),
    path("rujukan/<uuid:pk>/", views.referral_detail, name="referral-detail"),
    path("rujukan/<uuid:pk>/ubah/", views.referral_correct, name="referral-correct"),
    path("rujukan/<uuid:pk>/tarik/", views.referral_withdraw, name="referral-withdraw"),
    path("rujukan/<uuid:pk>/terima/", views.referral_accept, name="referral-accept"),
    path("rujukan/<uuid:pk>/tolak/", views.referral_decline, name="referral-decline"),
    path("rujukan/<uuid:pk>/duplikat/", views.referral_duplicate, name="referral-duplicate"),
    path("lampiran/<uuid:pk>/", views.attachment_download, name="attachment"),
    path("kasus/", views.case_list, name="case-list"),
    path("kasus/ekspor/", views.case_export, name="case-export"),
    path("kasus/<uuid:pk>/", views.case_detail, name="case-detail"),
    path("kasus/<uuid:pk>/tahap/", views.case_transition, name="case-transition"),
    path("kasus/<uuid:pk>/catatan/", views.case_note, name="case-note"),
    path("kasus/<uuid:pk>/tugaskan/", views.case_assign, name="case-assign"),
]
