from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "korpu.justice"
    label = "justice"
