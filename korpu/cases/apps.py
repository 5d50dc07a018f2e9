from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "korpu.cases"
    label = "cases"
