"""Pages: survey."""

urlpatterns = []
