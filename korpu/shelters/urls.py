from django.urls import path

from korpu.shelters import views

app_name = "shelters"

urlpatterns = [
    path("beds/", views.bed_board_view, name="bed_board"),
    path("facilities/<int:facility_id>/", views.facility_view, name="facility"),
    path("cases/<int:case_id>/admit/", views.admit_view, name="admit"),
    path("admissions/<int:admission_id>/discharge/", views.discharge_view, name="discharge"),
]
