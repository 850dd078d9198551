"""Pages: episodes."""

urlpatterns = []
