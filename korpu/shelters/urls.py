from django.urls import path

from korpu.shelters import views

app_name = "shelters"

urlpatterns = [
    path("beds/", views.bed_board_view, name="bed_board"),
    path("facilities/", views.facility_list_view, name="facility_list"),
    path("facilities/new/", views.facility_create_view, name="facility_create"),
    path("facilities/<int:facility_id>/", views.facility_view, name="facility"),
    path("facilities/<int:facility_id>/edit/", views.facility_edit_view, name="facility_edit"),
    path("facilities/<int:facility_id>/close/", views.facility_close_view, name="facility_close"),
    path("facilities/<int:facility_id>/reopen/", views.facility_reopen_view, name="facility_reopen"),
    path("cases/<int:case_id>/admit/", views.admit_view, name="admit"),
    path("cases/<int:case_id>/admission-form/", views.admission_form_view, name="admission_form"),
    path("admissions/<int:admission_id>/discharge/", views.discharge_view, name="discharge"),
]
