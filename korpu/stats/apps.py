from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "korpu.stats"
    label = "stats"
