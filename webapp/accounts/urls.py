from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from webapp.accounts import views

app_name = "accounts"
T = "accounts/"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("verify/<str:token>/", views.verify_email, name="verify-email"),
    path("verify-again/", views.resend_verification, name="verify-again"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=views.VerifiedPasswordResetForm,
        template_name=T + "password_reset.html",
        email_template_name=T + "password_reset_email.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(
        template_name=T + "message.html",
        extra_context={"message": "If the address has an account, we sent a link to it."}),
        name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name=T + "password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name=T + "message.html",
        extra_context={"message": "Your password has been set. You can log in now."}),
        name="password_reset_complete"),
]
