import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegisterSnapshot(models.Model):
    """One imported extract of the national socio-economic register (DTSEN).

    Decisions keep the snapshot they used. The same file (by SHA-256) is imported once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("source"), max_length=200)
    extract_date = models.DateField(_("extract date"))
    file = models.FileField(upload_to="register/", max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows in file"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    good_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    bad_rows = models.PositiveIntegerField(_("rows refused"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Rows per regency ("NN.NN": count), written when the import completes: a snapshot is
    # offered only to organisations whose area holds some of its rows, and chosen by default
    # only where it is (nearly) as full as the fullest extract of that area.
    area_rows = models.JSONField(_("rows per regency"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-extract_date", "-created_at"]
        verbose_name = _("register snapshot")
        verbose_name_plural = _("register snapshots")

    def __str__(self) -> str:
        return f"{self.source} {self.extract_date}"

    @property
    def area_codes(self) -> list[str]:
        """The regencies the snapshot's rows lie in."""
        return sorted(self.area_rows)


class RegisterRow(models.Model):
    """One person in a register snapshot. Loaded with COPY; never changed afterwards.

    In the database the table is partitioned by snapshot: each snapshot's rows live in a
    partition of their own (`assessments_registerrow_<snapshot hex>`, see migration 0002 and
    `services.register`), loaded without indexes and attached when complete, and dropped as a
    whole when the snapshot goes. The database's primary key is (id, snapshot_id), as
    PostgreSQL requires; ids come from one shared sequence, so `id` alone is still unique
    and Django keeps it as the primary key.
    """

    # The national register as received: the retention policy leaves it to the next import.
    external_copy = True

    id = models.BigAutoField(primary_key=True)
    # The partition bound ties each row to its snapshot, so there is no foreign key in the
    # database (attaching a partition under one would lock the snapshot table). The rows go
    # with their partition (`register_snapshot_delete`), never one by one; a trigger refuses
    # to delete a snapshot whose partition is still there.
    snapshot = models.ForeignKey(
        RegisterSnapshot,
        on_delete=models.DO_NOTHING,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField()
    id_dtsen = models.CharField(max_length=40)
    nik = models.CharField(max_length=16)
    kk_number = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150)
    birth_date = models.DateField(null=True)
    sex = models.CharField(max_length=1, blank=True)
    village_code = models.CharField(max_length=13)
    address = models.CharField(max_length=255, blank=True)
    decile = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("register row")
        verbose_name_plural = _("register rows")
        # Declared on the partitioned table; each partition gets its own copy, built by
        # ATTACH PARTITION after the rows are in. No snapshot column: a partition holds one.
        indexes = [
            models.Index(fields=["nik"], name="register_nik"),
            models.Index(fields=["kk_number"], name="register_kk", condition=~Q(kk_number="")),
            models.Index(
                fields=["village_code"], name="register_village", opclasses=["text_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decile__gte=1, decile__lte=10), name="register_decile_1_10"
            ),
            models.UniqueConstraint(
                fields=["snapshot", "row_number"], name="register_row_once_per_snapshot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_dtsen}"


class RegisterBadRow(models.Model):
    """A row of an import file that was refused, with where and why (row, column, reason)."""

    snapshot = models.ForeignKey(
        RegisterSnapshot, on_delete=models.CASCADE, related_name="bad_row_reports"
    )
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=40, blank=True)
    code = models.CharField(_("reason code"), max_length=40)
    message = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["row_number", "id"]
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")

    def __str__(self) -> str:
        return f"{self.row_number}: {self.code}"
