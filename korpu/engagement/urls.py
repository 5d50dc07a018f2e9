from django.urls import path

from korpu.engagement import views, views_report

app_name = "engagement"

urlpatterns = [
    path("coalition/", views.coalition_view, name="coalition"),
    path("coalition/report/", views_report.report_view, name="report"),
    path("coalition/report.pdf", views_report.report_pdf_view, name="report_pdf"),
    path("coalition/report.xlsx", views_report.report_xlsx_view, name="report_xlsx"),
    path("meetings/", views.meeting_list_view, name="meetings"),
    path("meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("meetings/<int:meeting_id>/", views.meeting_view, name="meeting"),
    path("meetings/photos/<int:photo_id>/<str:kind>/", views.photo_view, name="photo"),
    path("proposals/", views.proposal_list_view, name="proposals"),
    path("proposals/new/", views.proposal_create_view, name="proposal_create"),
    path("proposals/<int:proposal_id>/", views.proposal_view, name="proposal"),
    path("campaigns/", views.campaign_list_view, name="campaigns"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_view, name="campaign"),
    path("public/meetings/", views.public_meetings_view, name="public_meetings"),
    path("public/meetings/<int:meeting_id>/", views.public_meeting_view, name="public_meeting"),
    path("public/photos/<int:photo_id>/<str:kind>/", views.public_photo_view, name="public_photo"),
    path("public/campaigns/", views.public_campaigns_view, name="public_campaigns"),
]
