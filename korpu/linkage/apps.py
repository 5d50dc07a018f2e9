from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "korpu.linkage"
    label = "linkage"
    verbose_name = "record linkage"

    def ready(self) -> None:
        # The case actions reach record linkage through the kernel's seam (korpu.core.linking).
        from korpu.core import linking
        from korpu.linkage.actions import LINKER

        linking.register(LINKER)
