from .views import episodes, family, survey

app_name = "rehab"
urlpatterns = [
    *episodes.urlpatterns,
    *family.urlpatterns,
    *survey.urlpatterns,
]
