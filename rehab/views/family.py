"""Pages: family."""

urlpatterns = []
