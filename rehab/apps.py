from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "rehab"

    def ready(self):
        """Register the kinds of the summary tables this app counts and its part of the
        demo data set."""
        from atensi import demos
        from atensi.summaries import facts
        from rehab.selectors import episodes, survey

        facts.register("episodes", episodes.episode_facts)
        facts.register("follow_ups", episodes.follow_up_facts)
        facts.register("survey", survey.survey_facts)
        demos.register(
            40,
            "rehab",
            "rehab.demo.load",
            present="Demo rehabilitation already present; nothing changed.",
        )
