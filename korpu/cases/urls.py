from django.urls import path

from korpu.cases import views, views_io

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list_view, name="list"),
    path("cases/new/", views.case_create_view, name="create"),
    path("cases/export/htcds.xlsx", views_io.export_htcds_view, name="export_htcds"),
    path("cases/import/", views_io.import_htcds_view, name="import_htcds"),
    path("cases/<int:case_id>/", views.case_detail_view, name="detail"),
    path("cases/<int:case_id>/edit/", views.case_edit_view, name="edit"),
    path("cases/<int:case_id>/forms/<slug:name>/", views.case_action_form_view, name="action_form"),
    path("cases/<int:case_id>/identity/", views.identity_view, name="identity"),
    path("cases/<int:case_id>/photo/", views.photo_view, name="photo"),
    path("cases/<int:case_id>/photo/upload/", views.photo_upload_view, name="photo_upload"),
    path("cases/<int:case_id>/status/", views.status_view, name="status"),
    path("cases/<int:case_id>/decision/", views.decision_view, name="decision"),
    path("cases/<int:case_id>/consent/", views.consent_view, name="consent"),
    path("cases/<int:case_id>/consent/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
    path("cases/<int:case_id>/refer/", views.refer_view, name="refer"),
    path("cases/<int:case_id>/services/", views.service_view, name="service"),
    path("cases/<int:case_id>/services/<int:service_id>/deliver/", views.service_deliver_view, name="service_deliver"),
    path("cases/<int:case_id>/follow-ups/", views.follow_up_view, name="follow_up"),
    path("cases/<int:case_id>/follow-ups/<int:follow_up_id>/done/", views.follow_up_done_view, name="follow_up_done"),
    path("cases/<int:case_id>/assessments/", views.assessment_view, name="assessment"),
    path("cases/<int:case_id>/support-plans/", views.support_plan_view, name="support_plan"),
    path("cases/<int:case_id>/support-plans/<int:plan_id>/end/", views.support_plan_end_view, name="support_plan_end"),
    path("cases/<int:case_id>/trafficking-events/", views.trafficking_event_view, name="trafficking_event"),
    path("cases/<int:case_id>/notes/", views.note_view, name="note"),
    path("cases/<int:case_id>/attachments/", views.attachment_view, name="attachment"),
    path("cases/<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download_view,
         name="attachment_download"),
    path("cases/<int:case_id>/close/", views.close_view, name="close"),
    path("cases/<int:case_id>/grants/", views.grant_view, name="grant"),
    path("cases/<int:case_id>/grants/<int:grant_id>/revoke/", views.grant_revoke_view, name="grant_revoke"),
    path("referrals/inbox/", views.referral_list_view, {"box": "inbox"}, name="referral_inbox"),
    path("referrals/outbox/", views.referral_list_view, {"box": "outbox"}, name="referral_outbox"),
    path("referrals/<int:referral_id>/", views.referral_detail_view, name="referral_detail"),
    path("tasks/", views.tasks_view, name="tasks"),
]
