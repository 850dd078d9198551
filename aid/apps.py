from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = _("ATENSI aid")

    def ready(self):
        """Register the kinds of the summary tables this app counts."""
        from aid import selectors
        from atensi.summaries import facts

        facts.register("proposals", selectors.proposal_facts)
        facts.register("handovers", selectors.handover_facts, rollup=False)  # key3: people
