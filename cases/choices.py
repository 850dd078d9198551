"""Reference lists shared by clients, referrals and cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Religion(models.TextChoices):
    ISLAM = "islam", _("Islam")
    PROTESTANT = "protestan", _("Protestant Christian")
    CATHOLIC = "katolik", _("Catholic")
    HINDU = "hindu", _("Hindu")
    BUDDHIST = "buddha", _("Buddhist")
    CONFUCIAN = "khonghucu", _("Confucian")
    BELIEF = "kepercayaan", _("Traditional belief")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("No schooling")
    SD = "sd", _("Primary school (SD)")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1–D3)")
    BACHELOR = "s1", _("Bachelor (S1/D4)")
    POSTGRAD = "s2s3", _("Postgraduate (S2/S3)")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("Single")
    MARRIED = "kawin", _("Married")
    DIVORCED = "cerai_hidup", _("Divorced")
    WIDOWED = "cerai_mati", _("Widowed")


class Substance(models.TextChoices):
    CANNABIS = "ganja", _("Cannabis (ganja)")
    METHAMPHETAMINE = "sabu", _("Methamphetamine (sabu)")
    ECSTASY = "ekstasi", _("Ecstasy")
    OPIOIDS = "opioid", _("Opioids (heroin, putaw)")
    SEDATIVES = "sedatif", _("Sedatives (Lexotan, alprazolam)")
    INHALANTS = "inhalan", _("Inhalants (glue, petrol, thinner)")
    ALCOHOL = "alkohol", _("Alcohol")
    COCAINE = "kokain", _("Cocaine")
    SYNTHETIC = "sintetis", _("Synthetic cannabinoids (sinte)")
    PRESCRIPTION = "obat_keras", _("Prescription drugs (tramadol, dextro, LL)")
    OTHER = "lainnya", _("Other")
