from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from dialogue_portal.twofactor import webauthn

# The names django-otp-webauthn's template tags reverse.
app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        webauthn_views.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        webauthn.CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        webauthn_views.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        webauthn.CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    # Its browser messages, in the admin's language (ours translate them into Russian).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn", "dialogue_portal.twofactor"]),
        name="js-i18n-catalog",
    ),
]
