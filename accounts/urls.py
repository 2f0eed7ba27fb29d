from django.urls import path

from . import views
from .factors import sms_views, two_factor_views
from .invitations import views as invitation_views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sms/status/notify/", sms_views.NotifyStatusView.as_view(), name="sms_status_notify"),
    path("sms/status/twilio/", sms_views.TwilioStatusView.as_view(), name="sms_status_twilio"),
    path(
        "sign-in/second-factor/",
        two_factor_views.SecondFactorView.as_view(),
        name="second_factor",
    ),
    path(
        "account/two-factor/",
        two_factor_views.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path(
        "users/<int:pk>/devices/reset/",
        two_factor_views.DevicesResetView.as_view(),
        name="devices_reset",
    ),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/create/<str:kind>/", views.ConfirmCreateView.as_view(), name="confirm_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/bulk/", views.UserBulkView.as_view(), name="user_bulk"),
    path("users/<int:pk>/cancel/", views.AccountCancelView.as_view(), name="account_cancel"),
    path(
        "users/<int:pk>/reactivate/",
        views.AccountReactivateView.as_view(),
        name="account_reactivate",
    ),
    path("users/<int:pk>/archive/", views.AccountArchiveView.as_view(), name="account_archive"),
    path("users/<int:pk>/access/", views.AccountAccessView.as_view(), name="account_access"),
    path(
        "settings/security/", views.SecuritySettingsView.as_view(), name="security_settings"
    ),
    path(
        "users/<int:pk>/unarchive/",
        views.AccountArchiveView.as_view(archived=False),
        name="account_unarchive",
    ),
    path(
        "users/invitations/",
        invitation_views.PendingInvitationsView.as_view(),
        name="pending_invitations",
    ),
    path(
        "users/invitations/sent/<int:pk>/",
        invitation_views.InvitationBatchView.as_view(),
        name="invitation_batch",
    ),
    path(
        "users/<int:pk>/invitation/",
        invitation_views.InvitationSendView.as_view(),
        name="invitation_send",
    ),
    path("password/forgot/", views.PasswordForgotView.as_view(), name="password_forgot"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("activate/fresh-link/", invitation_views.FreshLinkView.as_view(), name="fresh_link"),
    path(
        "activate/<uidb64>/verify/",
        invitation_views.ActivateVerifyView.as_view(),
        name="activate_verify",
    ),
    path(
        "activate/<uidb64>/<token>/",
        invitation_views.ActivateAccountView.as_view(),
        name="activate",
    ),
]
