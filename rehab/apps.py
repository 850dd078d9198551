from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "rehab"

    def ready(self):
        """Register the kinds of the summary tables this app counts."""
        from atensi.summaries import facts
        from rehab.selectors import episodes, survey

        facts.register("episodes", episodes.episode_facts)
        facts.register("follow_ups", episodes.follow_up_facts)
        facts.register("survey", survey.survey_facts)
