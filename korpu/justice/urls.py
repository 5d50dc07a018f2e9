from django.urls import path

from korpu.justice import views

app_name = "justice"

urlpatterns = [
    path("investigations/", views.investigation_list_view, name="list"),
    path("investigations/figures/", views.figures_view, name="figures"),
    path("investigations/<int:investigation_id>/", views.investigation_detail_view, name="detail"),
    path("investigations/<int:investigation_id>/victims/<int:case_id>/unlink/", views.investigation_unlink_view,
         name="unlink"),
    path("investigations/<int:investigation_id>/<str:command>/", views.investigation_command_view, name="command"),
]
