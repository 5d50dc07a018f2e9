from django.urls import path

from korpu.public import views

app_name = "public"

urlpatterns = [
    path("public/", views.home_view, name="home"),
    path("public/plan/<int:plan_id>/", views.plan_view, name="plan"),
    path("public/plan/measures/<int:measure_id>/", views.measure_view, name="measure"),
    path("public/recommendations/", views.recommendations_view, name="recommendations"),
    path("public/recommendations/<int:recommendation_id>/", views.recommendation_view, name="recommendation"),
]
