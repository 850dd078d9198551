from django.db.models import QuerySet

from atensi.accounts import policy

from .models import AuditEvent


def audit_list(*, user, action: str = "", username: str = "", object_id: str = "",
               date_from=None, date_to=None) -> QuerySet[AuditEvent]:  # fmt: skip
    """Supervisors see the events of their own organisation's users; admins see all."""
    if not policy.can_read_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("actor__organisation")
    if user.role != user.Role.ADMIN:
        qs = qs.filter(actor__organisation_id=user.organisation_id)
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(actor_username__icontains=username)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs
