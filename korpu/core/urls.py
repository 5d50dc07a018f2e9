from django.urls import path

from korpu.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list_view, name="audit_list"),
    path("audit/verify/", views.audit_verify_view, name="audit_verify"),
    path("healthz", views.healthz_view, name="healthz"),
]
