from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "rehab"

    def ready(self):
        """Register the kinds of the summary tables this app counts and its part of the
        demo data set."""
        from atensi import demos, retention
        from atensi.summaries import facts
        from rehab.selectors import episodes, survey
        from rehab.services import survey as survey_services

        facts.register("episodes", episodes.episode_facts)
        facts.register("follow_ups", episodes.follow_up_facts)
        facts.register("survey", survey.survey_facts)
        retention.register(
            "survey_text",
            "survey suggestions older than RETENTION_SURVEY_TEXT_MONTHS months: cleared "
            "(the ratings stay)",
            due=survey.suggestions_past_retention,
            apply=survey_services.suggestions_clear,
        )
        demos.register(
            40,
            "rehab",
            "rehab.demo.load",
            present="Demo rehabilitation already present; nothing changed.",
        )
