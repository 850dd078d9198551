from .views import episodes, family, ibm, outreach, survey

app_name = "rehab"
urlpatterns = [
    *episodes.urlpatterns,
    *ibm.urlpatterns,
    *outreach.urlpatterns,
    *family.urlpatterns,
    *survey.urlpatterns,
]
