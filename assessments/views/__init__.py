"""Pages, one module per feature; each module defines its own `urlpatterns`."""
