from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = _("ATENSI aid")

    def ready(self):
        """Register the kinds of the summary tables this app counts and its part of the
        demo data set."""
        from aid import selectors
        from atensi import demos
        from atensi.summaries import facts

        facts.register("proposals", selectors.proposal_facts)
        facts.register("handovers", selectors.handover_facts, rollup=False)  # key3: people
        demos.register(
            30, "aid", "aid.demo.load", present="Demo aid already present; nothing changed."
        )
