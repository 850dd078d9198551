def register(router):
    """Add this feature's viewsets to the API router."""
