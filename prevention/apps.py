from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    name = "prevention"
    verbose_name = _("Prevention and empowerment")

    def ready(self):
        """Register this app's part of the demo data set."""
        from atensi import demos

        demos.register(
            50,
            "prevention",
            "prevention.demo.load",
            present="Demo BNNK activities already present; nothing changed.",
        )
