from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "korpu.public"
    label = "public"
