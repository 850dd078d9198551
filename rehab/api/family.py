"""/api/v1/ for family."""


def register(router) -> None:
    """Nothing to register yet."""
