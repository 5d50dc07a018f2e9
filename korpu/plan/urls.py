from django.urls import path

from korpu.plan import views, views_io

app_name = "plan"

urlpatterns = [
    path("plan/", views.plan_list_view, name="list"),
    path("plan/<int:plan_id>/", views.plan_detail_view, name="detail"),
    path("plan/<int:plan_id>/reporting-rate/", views.reporting_rate_view, name="reporting_rate"),
    path("plan/measures/<int:measure_id>/", views.measure_view, name="measure"),
    path("plan/measures/<int:measure_id>/publish/", views.measure_publish_view, name="measure_publish"),
    path("plan/measures/<int:measure_id>/report/<int:period_id>/<int:organisation_id>/", views.report_edit_view,
         name="report_edit"),
    path("plan/reports/<int:report_id>/", views.report_view, name="report"),
    path("plan/periods/<int:period_id>/lock/", views.period_lock_view, name="period_lock"),
    path("plan/<int:plan_id>/export.xlsx", views_io.plan_export_xlsx_view, name="export_xlsx"),
    path("plan/<int:plan_id>/export.pdf", views_io.plan_export_pdf_view, name="export_pdf"),
    path("plan/<int:plan_id>/import/", views_io.plan_import_view, name="import"),
    path("plan/templates/measures.xlsx", views_io.measures_template_view, name="measures_template"),
    path("plan/templates/recommendations.xlsx", views_io.recommendations_template_view,
         name="recommendations_template"),
    path("recommendations/", views.recommendation_list_view, name="recommendations"),
    path("recommendations/<int:recommendation_id>/", views.recommendation_view, name="recommendation"),
]
