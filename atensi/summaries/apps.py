from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "atensi.summaries"
    label = "summaries"
    verbose_name = _("Summary tables")
