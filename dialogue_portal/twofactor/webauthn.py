"""django-otp-webauthn's passkey endpoints, telling what happened: a registered passkey is an
added factor, a failed passkey sign-in counts like a wrong code."""

from django.http import JsonResponse
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from dialogue_portal.twofactor import services


class CompleteRegistration(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if isinstance(response, JsonResponse) and response.status_code == 200:
            device = WebAuthnCredential.objects.filter(user=self.request.user).latest("pk")
            services.after_factor_added(self.request, device)
        return response


class CompleteAuthentication(webauthn_views.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        if self.request.user.is_authenticated:
            services.second_factor_failed(self.request)
        return super().handle_exception(exc)
