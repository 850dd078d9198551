"""The summary tables of the dashboard: counts per kind of record, region and month, kept
by ``summaries.facts`` and marked out of date by database triggers on the records."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# The month of a mark that means "every month" (a client moved: all their records move).
ALL_MONTHS = datetime.date(1, 1, 1)


# The levels a kind is also summed at: the first 5 (regency) and 8 (district) characters of
# the region code, so that a province or a regency reads a few thousand rows, not a row per
# village. Level 0 holds the counts per region as recorded (a village, usually).
LEVELS = (5, 8)


class MonthlyCount(models.Model):
    """The records of one kind lying in one region (a village, usually) in one month, counted
    per up to three keys (a status, a modality, …): a count ``n`` and two sums; at level 0
    as recorded, and summed again per regency and per district (``LEVELS``)."""

    kind = models.CharField(_("kind"), max_length=30)
    level = models.PositiveSmallIntegerField(_("level"), db_default=0)
    month = models.DateField(_("month"))  # its first day
    region = models.CharField(_("region code"), max_length=13)
    key1 = models.CharField(max_length=255, blank=True, default="")
    key2 = models.CharField(max_length=255, blank=True, default="")
    key3 = models.CharField(max_length=64, blank=True, default="")
    n = models.BigIntegerField(_("count"))
    amount = models.BigIntegerField(_("amount"), default=0)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("monthly count")
        verbose_name_plural = _("monthly counts")
        indexes = [
            models.Index(fields=["kind", "level", "month", "region"], name="monthlycount_read"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.region}"


class Dirty(models.Model):
    """A month of a kind whose counts no longer match the records in a district (the first
    8 characters of the region code; "" for every region), written by the triggers and
    consumed by ``facts.refresh``; ``ALL_MONTHS`` for every month."""

    kind = models.CharField(_("kind"), max_length=30)
    month = models.DateField(_("month"))
    area = models.CharField(_("district"), max_length=8, blank=True, db_default="")
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("month to count again")
        verbose_name_plural = _("months to count again")
        constraints = [models.UniqueConstraint(fields=["kind", "month", "area"], name="dirty_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month}"


class Change(models.Model):
    """When the counts of a month (``ALL_MONTHS``: of any month) last changed, so that a
    dashboard computed before it is known to be out of date."""

    month = models.DateField(_("month"), primary_key=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("change of the counts")
        verbose_name_plural = _("changes of the counts")

    def __str__(self) -> str:
        return f"{self.month} {self.changed_at}"
