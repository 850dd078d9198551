import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .proposal import Decree


def document_path(instance, filename):
    return f"documents/{instance.decree_id}/{instance.id}.{instance.kind}"


class DecreeDocument(models.Model):
    """A built decree annex (PDF or XLSX): queued, built (with its progress) and stored;
    large decrees are built by a Celery job, small ones in the request."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decree = models.ForeignKey(
        Decree, verbose_name=_("decree"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=document_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("decree document")
        verbose_name_plural = _("decree documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="decreedocument_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decree} {self.kind}"


def part_path(instance, filename):
    document = instance.document
    return f"documents/{document.decree_id}/{document.pk}/part-{instance.index:04d}.pdf"


class DecreeDocumentPart(models.Model):
    """A run of whole pages of a decree annex PDF, laid out on its own (by a task of its own
    for a large decree) and joined with the others when all are done."""

    document = models.ForeignKey(DecreeDocument, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    page_starts = ArrayField(models.PositiveIntegerField())  # the first row of each page
    pages = models.PositiveIntegerField(default=0)  # as laid out
    file = models.FileField(upload_to=part_path, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "index"]
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="decreedocumentpart_once"),
            models.CheckConstraint(
                condition=Q(first_row__lte=F("last_row")), name="decreedocumentpart_rows"
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.index}"
