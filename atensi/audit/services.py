from __future__ import annotations

from django.db import models

from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    request=None,
    channel: str | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one audit event. `summary` must not contain names or NIKs: refer by record id."""
    if obj is not None:
        object_type = obj._meta.model_name
        object_id = str(obj.pk)
    if channel is None:
        channel = "api" if request is not None and request.path.startswith("/api/") else "web"
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        channel=channel,
        ip_address=client_ip(request),
    )
