from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "korpu.engagement"
    label = "engagement"
