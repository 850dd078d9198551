from .views import documents, handovers, pages

app_name = "aid"
urlpatterns = [
    *pages.urlpatterns,
    *handovers.urlpatterns,
    *documents.urlpatterns,
]
