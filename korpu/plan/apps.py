from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "korpu.plan"
    label = "plan"
