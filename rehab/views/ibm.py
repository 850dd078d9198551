"""Pages: ibm."""

urlpatterns = []
