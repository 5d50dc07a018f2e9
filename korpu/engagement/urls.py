from django.urls import path

from korpu.engagement import views, views_io

app_name = "engagement"

urlpatterns = [
    path("coalition/", views.coalition_view, name="coalition"),
    path("coalition/members/new/", views.member_create_view, name="member_create"),
    path("coalition/members/<int:member_id>/", views.member_view, name="member"),
    path("coalition/members/<int:member_id>/contacts/<int:contact_id>/", views.contact_view, name="contact"),
    path("coalition/report/", views_io.report_view, name="report"),
    path("coalition/report.pdf", views_io.report_pdf_view, name="report_pdf"),
    path("coalition/report.xlsx", views_io.report_xlsx_view, name="report_xlsx"),
    path("meetings/", views.meeting_list_view, name="meetings"),
    path("meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("meetings/<int:meeting_id>/", views.meeting_view, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit_view, name="meeting_edit"),
    path("meetings/<int:meeting_id>/participants/<int:participant_id>/", views.participant_view, name="participant"),
    path("meetings/<int:meeting_id>/decisions/<int:decision_id>/", views.decision_view, name="decision"),
    path("meetings/photos/<int:photo_id>/<str:kind>/", views.photo_view, name="photo"),
    path("meetings/files/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("proposals/", views.proposal_list_view, name="proposals"),
    path("proposals/new/", views.proposal_create_view, name="proposal_create"),
    path("proposals/<int:proposal_id>/", views.proposal_view, name="proposal"),
    path("campaigns/", views.campaign_list_view, name="campaigns"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_view, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit_view, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/events/<int:event_id>/", views.campaign_event_view, name="campaign_event"),
    path("public/meetings/", views.public_meetings_view, name="public_meetings"),
    path("public/meetings/<int:meeting_id>/", views.public_meeting_view, name="public_meeting"),
    path("public/meetings/files/<int:attachment_id>/", views.public_attachment_view, name="public_attachment"),
    path("public/photos/<int:photo_id>/<str:kind>/", views.public_photo_view, name="public_photo"),
    path("public/campaigns/", views.public_campaigns_view, name="public_campaigns"),
    path("public/campaigns/<int:campaign_id>/", views.public_campaign_view, name="public_campaign"),
]
