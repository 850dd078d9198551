import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assessments.models.assessment import Component
from atensi.summaries.triggers import dirty_triggers

from .programme import Programme


class BudgetLine(models.Model):
    """The balance of one ATENSI component of a programme, in whole rupiah.

    Changed only by conditional UPDATEs in aid.services.budget, each with a BudgetEntry;
    the CHECKs keep every balance at or above zero whatever code runs.
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
        related_name="budget_lines",
    )  # fmt: skip
    component = models.CharField(_("ATENSI component"), max_length=20, choices=Component.choices)
    ceiling = models.BigIntegerField(_("allocation (Rp)"), default=0)
    reserved = models.BigIntegerField(_("reserved (Rp)"), default=0)
    spent = models.BigIntegerField(_("spent (Rp)"), default=0)

    class Meta:
        # The budget is shown for the programme's year: its twelve months change.
        triggers = dirty_triggers(
            "budgetline",
            "SELECT DISTINCT 'other'::text AS kind, make_date(p.year, m, 1) AS day, '' AS area "
            "FROM {rows} r JOIN aid_programme p ON p.id = r.programme_id "
            "CROSS JOIN generate_series(1, 12) AS m",
        )
        ordering = ["programme", "component"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["programme", "component"], name="budgetline_once"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="budgetline_reserved_gte_0"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="budgetline_spent_gte_0"),
            models.CheckConstraint(
                condition=Q(ceiling__gte=F("reserved") + F("spent")),
                name="budgetline_within_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.component}"

    @property
    def available(self) -> int:
        return self.ceiling - self.reserved - self.spent


class AppendOnly(models.Model):
    """A row written once: the model refuses save() on an existing row and delete()."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class BudgetEntry(AppendOnly):
    """One movement of money on a budget line: who, when, why, how much, for which proposal."""

    class Kind(models.TextChoices):
        ALLOCATE = "allocate", _("Allocated")
        RESERVE = "reserve", _("Reserved")
        RELEASE = "release", _("Released")
        SPEND = "spend", _("Spent")
        # Part of a component's allocation given back to the programme's unallocated ceiling.
        WITHDRAW = "withdraw", _("Allocation withdrawn")

    id = models.BigAutoField(primary_key=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    component = models.CharField(_("ATENSI component"), max_length=20, choices=Component.choices)
    kind = models.CharField(_("movement"), max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    proposal = models.ForeignKey(
        "aid.Proposal", on_delete=models.PROTECT, null=True, blank=True,
        related_name="budget_entries",
    )  # fmt: skip
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        indexes = [models.Index(fields=["programme", "component"], name="budgetentry_line")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgetentry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["allocate", "withdraw"]) | Q(proposal__isnull=False),
                name="budgetentry_movement_has_proposal",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="budgetentry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
