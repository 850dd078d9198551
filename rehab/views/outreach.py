"""Pages: outreach."""

urlpatterns = []
