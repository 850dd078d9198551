"""/api/v1/ for IBM units and their recovery agents."""


def register(router) -> None:
    """Nothing to register yet."""
