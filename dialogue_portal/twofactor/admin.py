"""A superuser resets a member of staff's lost second factor from the user's admin page."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.staff.admin import UserWithProfileAdmin
from dialogue_portal.twofactor import services

User = get_user_model()


class UserWithSecondFactorAdmin(UserWithProfileAdmin):
    change_form_template = "twofactor/user_change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/second-factor/reset/",
                self.admin_site.admin_view(self.reset_second_factor),
                name="auth_user_reset_second_factor",
            ),
            *super().get_urls(),
        ]

    def reset_second_factor(self, request, object_id):
        """GET asks for confirmation; POST removes every factor and recovery code of the
        user and ends their sessions. Superusers only."""
        if not request.user.is_superuser:
            raise PermissionDenied
        user = get_object_or_404(User, pk=object_id)
        change_url = reverse("admin:auth_user_change", args=[user.pk])
        if request.method == "POST":
            services.reset_factors(user=user, by=request.user, request=request)
            messages.success(
                request,
                _(
                    "The second factor of %(name)s was reset: they set up a new one at the "
                    "next sign-in."
                )
                % {"name": user.get_username()},
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset the second factor of %(name)s") % {"name": user.get_username()},
            "subject": user,
            "factors": services.factors(user),
            "has_recovery": services.recovery_device(user) is not None,
            "change_url": change_url,
            "opts": self.opts,
        }
        return TemplateResponse(request, "twofactor/reset_confirm.html", context)

    def user_change_password(self, request, id, form_url=""):
        """A password set for someone else here ends that person's sessions too."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                services.end_sessions(
                    user=user, request=request, reason=services.SessionEnd.PASSWORD_CHANGED
                )
        return response


admin.site.unregister(User)
admin.site.register(User, UserWithSecondFactorAdmin)
# django-otp's own admin for TOTP devices shows anyone's secret key and QR code to whoever
# may view devices; here nobody reads another person's secret: a lost factor is reset.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
