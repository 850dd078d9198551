from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Screening, assessment and eligibility")

    def ready(self):
        """Register the kinds of the summary tables this app counts."""
        from assessments.selectors import eligibility
        from atensi.summaries import facts

        facts.register("screening", eligibility.screening_facts)
