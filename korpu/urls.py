from django.contrib import admin
from django.urls import include, path, re_path

from korpu.api import api, not_found_view

urlpatterns = [
    path("", include("korpu.home.urls")),
    path("", include("korpu.core.urls")),
    path("", include("korpu.accounts.urls")),
    path("", include("korpu.cases.urls")),
    path("", include("korpu.shelters.urls")),
    path("", include("korpu.justice.urls")),
    path("", include("korpu.linkage.urls")),
    path("", include("korpu.plan.urls")),
    path("", include("korpu.public.urls")),
    path("", include("korpu.engagement.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found_view),
    path("django-admin/", admin.site.urls),
]
