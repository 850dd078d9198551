"""/api/v1/ for BNNK activities and village status."""


def register(router) -> None:
    """Nothing to register yet."""
