"""/api/v1/ for episodes."""


def register(router) -> None:
    """Nothing to register yet."""
