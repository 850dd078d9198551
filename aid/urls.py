from .views import budget, documents, handovers, pages

app_name = "aid"
urlpatterns = [
    *pages.urlpatterns,
    *budget.urlpatterns,
    *handovers.urlpatterns,
    *documents.urlpatterns,
]
