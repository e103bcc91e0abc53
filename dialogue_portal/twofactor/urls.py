from django.contrib import admin
from django.urls import path

from dialogue_portal.twofactor import views

app_name = "twofactor"

# Mounted under /admin/ ahead of the admin site's own URLs (dialogue_portal/urls.py); the
# middleware lets a session without a second factor open only verify/, setup/, webauthn/
# and the password reset.
urlpatterns = [
    path("2fa/", admin.site.admin_view(views.manage), name="manage"),
    path("2fa/verify/", views.verify, name="verify"),
    path("2fa/setup/", views.setup, name="setup"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("2fa/remove/<str:kind>/<int:pk>/", views.remove, name="remove"),
    path("2fa/logout-everywhere/", views.logout_everywhere, name="logout-everywhere"),
    # The admin's own "change password", which also ends the account's other sessions.
    path(
        "password_change/",
        admin.site.admin_view(views.password_change),
        name="password_change",
    ),
    path("password_reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
