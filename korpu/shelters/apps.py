from django.apps import AppConfig


class SheltersConfig(AppConfig):
    name = "korpu.shelters"
    label = "shelters"
