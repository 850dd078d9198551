import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
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


def report_path(instance, filename):
    return f"reports/{instance.id}.{instance.kind}"


class DashboardReport(models.Model):
    """The yearly report of an area (PDF or XLSX): queued, built by a Celery job with its
    progress, stored and downloaded. It holds published figures only (see
    ``dashboard.report``): never a name or an ID number."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area_code = models.CharField(_("area"), max_length=20, blank=True)  # "" for the whole area
    area_codes = models.CharField(_("region codes"), max_length=255)  # comma-joined
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("format"), max_length=4, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="dashboardreport_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="dashboardreport_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_code or self.area_codes} {self.year} {self.kind}"
