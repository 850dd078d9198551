from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Clients and cases")

    def ready(self):
        """Register the kinds of the summary tables this app counts and its part of the
        demo data set."""
        from atensi import demos, retention
        from atensi.summaries import facts
        from cases import selectors, services

        facts.register("referrals", selectors.referral_facts)
        retention.register(
            "closed_cases",
            "clients whose cases have all been closed for RETENTION_CLOSED_CASE_YEARS years: "
            "anonymised",
            due=selectors.clients_past_retention,
            apply=services.clients_anonymise,
        )
        demos.register(
            10, "cases", "cases.demo.load", present="Demo data already present; nothing changed."
        )
