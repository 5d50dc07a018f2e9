from django.urls import path

from korpu.linkage import views

app_name = "linkage"

urlpatterns = [
    path("linkage/cases/<int:case_id>/", views.case_panel_view, name="case_panel"),
    path("linkage/cases/<int:case_id>/request/", views.request_create_view, name="request_create"),
    path("linkage/cases/<int:case_id>/unlink/", views.unlink_view, name="unlink"),
    path("linkage/requests/", views.request_list_view, name="requests"),
    path("linkage/requests/<int:request_id>/", views.request_detail_view, name="request_detail"),
    path("linkage/requests/<int:request_id>/confirm/", views.request_confirm_view, name="request_confirm"),
    path("linkage/requests/<int:request_id>/reject/", views.request_reject_view, name="request_reject"),
    path("linkage/requests/<int:request_id>/withdraw/", views.request_withdraw_view, name="request_withdraw"),
    path("linkage/tasks/", views.tasks_view, name="tasks"),
    path("linkage/check/", views.check_form_view, name="check_form"),
]
