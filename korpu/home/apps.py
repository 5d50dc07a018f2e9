from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "korpu.home"
    label = "home"
