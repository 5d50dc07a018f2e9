from django.urls import path

from korpu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/two-factor/", views.two_factor_view, name="two_factor"),
    path("account/password-reset/", views.password_reset_view, name="password_reset"),
    path("account/reset/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("account/language/", views.language_view, name="language"),
    path("account/", views.profile_view, name="profile"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("organisations/", views.organisation_list_view, name="organisation_list"),
    path("organisations/new/", views.organisation_edit_view, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_detail_view, name="organisation_detail"),
    path("organisations/<int:organisation_id>/edit/", views.organisation_edit_view, name="organisation_edit"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:user_id>/", views.user_detail_view, name="user_detail"),
]
