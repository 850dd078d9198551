from .views import assessment, eligibility, register, screening

app_name = "assessments"
urlpatterns = [
    *screening.urlpatterns,
    *assessment.urlpatterns,
    *register.urlpatterns,
    *eligibility.urlpatterns,
]
