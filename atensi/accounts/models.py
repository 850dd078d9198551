from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from atensi.regions.models import Region


class Organisation(models.Model):
    """A Dinsos office, BNNK, Sentra or partner; it sees what lies inside its service area."""

    class Kind(models.TextChoices):
        DINSOS_REGENCY = "dinsos_kab", _("Dinsos (regency/city)")
        DINSOS_PROVINCE = "dinsos_prov", _("Dinsos (province)")
        BNNK = "bnnk", _("BNNK")
        BNNP = "bnnp", _("BNNP")
        SENTRA = "sentra", _("Kemensos Sentra/Balai")
        LKS = "lks", _("LKS")
        IPWL = "ipwl", _("IPWL")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    service_area = models.ManyToManyField(
        Region, verbose_name=_("service area"), related_name="+", blank=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        SUPERVISOR = "supervisor", _("Supervisor")
        REFERRER = "referrer", _("Referrer")
        CENTRE = "centre", _("Centre staff")
        VIEWER = "viewer", _("Viewer")
        ADMIN = "admin", _("Administrator")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(is_superuser=True),
                name="user_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
