"""/api/v1/ for survey."""


def register(router) -> None:
    """Nothing to register yet."""
