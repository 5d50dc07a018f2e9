from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "korpu.stats"
    label = "stats"

    def ready(self) -> None:
        # Registers the national figures in korpu.core.figures, where the plan asks for them.
        from korpu.stats import definitions  # noqa: F401
