from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Screening, assessment and eligibility")

    def ready(self):
        """Register the kinds of the summary tables this app counts and its part of the
        demo data set."""
        from assessments.selectors import eligibility
        from atensi import demos
        from atensi.summaries import facts

        facts.register("screening", eligibility.screening_facts)
        demos.register(
            20,
            "assessments",
            "assessments.demo.load",
            present="Demo screening already present; nothing changed.",
        )
