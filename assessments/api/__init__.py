"""REST endpoints, one module per feature; each adds its viewsets to the router."""

from . import assessment, eligibility, register, screening


def register_all(router) -> None:
    for feature in (screening, assessment, register, eligibility):
        feature.register(router)
