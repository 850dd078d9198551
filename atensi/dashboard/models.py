from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The published (already suppressed) dashboard of one area, period and language, kept
    so that a page opens without counting again; refreshed by Celery beat and on demand.
    It holds display values only: never a name, an ID number or an unsuppressed count."""

    area_key = models.CharField(_("area"), max_length=255)  # the area's codes, comma-joined
    period = models.CharField(_("period"), max_length=30)
    language = models.CharField(_("language"), max_length=10)
    data = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["area_key", "period", "language"], name="dashboardsnapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_key} {self.period} {self.language}"
