"""Family guidance (bimbingan sosial keluarga): group sessions, series of them, attendance.

A session is held in a village (its region decides who may read it) by an organisation (whose
staff may change it). Attendees are family members of clients, or walk-ins known by name.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atensi.accounts.models import Organisation
from atensi.regions.models import Region
from cases.models import FamilyMember


class FamilySeries(models.Model):
    """A programme of meetings with the same families, e.g. the family-resilience series
    (Ketahanan Keluarga) of four meetings in one village."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="family_series",
    )  # fmt: skip
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    planned_meetings = models.PositiveSmallIntegerField(_("planned number of meetings"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("family guidance series")
        verbose_name_plural = _("family guidance series")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "village", "name"], name="family_series_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(planned_meetings__gte=1, planned_meetings__lte=52),
                name="family_series_planned_meetings_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FamilySession(models.Model):
    """One group guidance session for families, on its own or as a meeting of a series."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="family_sessions",
    )  # fmt: skip
    series = models.ForeignKey(
        FamilySeries, verbose_name=_("series"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="sessions",
    )  # fmt: skip
    meeting_number = models.PositiveSmallIntegerField(_("meeting number"), null=True, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    facilitator = models.CharField(_("facilitator"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("family guidance session")
        verbose_name_plural = _("family guidance sessions")
        indexes = [
            models.Index(
                fields=["village"], name="family_session_village_prefix",
                opclasses=["text_pattern_ops"],
            ),
            models.Index(fields=["date"], name="family_session_date"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(series__isnull=True, meeting_number__isnull=True)
                | Q(series__isnull=False, meeting_number__gte=1),
                name="family_session_meeting_number_iff_series",
            ),
            models.UniqueConstraint(
                fields=["series", "meeting_number"], name="family_session_one_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.date:%d-%m-%Y}"


class FamilyAttendance(models.Model):
    """One attendee of a session: a family member of a client, or a walk-in known by name.

    A family member removed from the client's record stays linked here (removal is a mark on
    the member, never a delete, and the link is PROTECT), so the attendance is never lost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        FamilySession, verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="attendances",
    )  # fmt: skip
    member = models.ForeignKey(
        FamilyMember, verbose_name=_("family member"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="session_attendances",
    )  # fmt: skip
    walk_in_name = models.CharField(_("name"), max_length=150, blank=True)
    walk_in_relation = models.CharField(_("relation or role"), max_length=100, blank=True)
    walk_in_phone = models.CharField(_("phone"), max_length=20, blank=True)
    attended = models.BooleanField(_("attended"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, walk_in_name="")
                | (Q(member__isnull=True) & ~Q(walk_in_name="")),
                name="family_attendance_member_xor_walk_in",
            ),
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(member__isnull=False),
                name="family_attendance_one_per_member",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.member.full_name if self.member_id else self.walk_in_name

    @property
    def is_walk_in(self) -> bool:
        return self.member_id is None
