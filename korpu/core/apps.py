from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "korpu.core"
    label = "core"
    verbose_name = _("Körpü kernel")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from korpu.core import checks, crypto

        request_finished.connect(crypto.clear_key_cache, dispatch_uid="korpu-clear-key-cache")
        checks.register()
