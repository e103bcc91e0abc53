"""The second factor's pages, inside the admin's layout and language (all under /admin/2fa/),
the staff password reset by e-mail, and "log out everywhere".

Until a second factor verifies the session, only ``verify`` and ``setup`` (and the passkey
endpoints) are open (see middleware.py); every other page here needs a verified session.
"""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from dialogue_portal.twofactor import services
from dialogue_portal.twofactor.forms import CodeForm, StaffPasswordResetForm, TotpConfirmForm

FACTOR_KINDS = {"totp": TOTPDevice, "passkey": WebAuthnCredential}


def next_url(request):
    """Where to go after this step: the ``next`` asked for, when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def step_url(name, request):
    """Another step of signing in, carrying on to the same ``next``."""
    return f"{reverse(name)}?{urlencode({'next': next_url(request)})}"


def page(request, template, title, verified=True, **context):
    """A page in the admin's layout; before the second factor, without the admin's menus."""
    base = admin.site.each_context(request)
    if not verified:
        base.update(has_permission=False, is_nav_sidebar_enabled=False, available_apps=[])
    return TemplateResponse(
        request, template, {**base, "title": title, "next": next_url(request), **context}
    )


def staff_only(view):
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
            return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


@staff_only
def verify(request):
    """The second step of signing in: a code (TOTP or recovery) or a passkey."""
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    factors = services.factors(user)
    if not factors:
        return redirect(step_url("twofactor:setup", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_code(request, form.cleaned_data["code"]):
            return redirect(next_url(request))
        if not request.user.is_authenticated:  # locked out: the session is over
            return redirect(reverse("admin:login"))
        form.add_error("code", _("That code is not right, or it was used already. Try again."))
    return page(
        request,
        "twofactor/verify.html",
        _("Second step of signing in"),
        verified=False,
        form=form,
        has_passkey=any(isinstance(device, WebAuthnCredential) for device in factors),
        has_recovery=services.recovery_device(user) is not None,
    )


@staff_only
def setup(request):
    """Set up a second factor: an authenticator app (TOTP) or a passkey.

    Open before verification only to staff who have no factor yet (the first enrolment right
    after the password); with a factor, the session must be verified first, so a stolen
    password cannot add the thief's own authenticator."""
    user = request.user
    if not user.is_verified() and services.has_factor(user):
        return redirect(step_url("twofactor:verify", request))
    device = services.pending_totp_device(request)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first = not services.has_factor(user)
        if services.confirm_totp(request, device, form.cleaned_data["code"]):
            if first or services.recovery_device(user) is None:
                return show_recovery_codes(request, services.replace_recovery_codes(request))
            messages.success(request, _("The authenticator app was added."))
            return redirect("twofactor:manage")
        form.add_error("code", _("That code is not right. Check the app's clock and try again."))
    enrolled = services.has_factor(user)
    secret = services.base32_secret(device)
    return page(
        request,
        "twofactor/setup.html",
        _("Set up a second factor") if not enrolled else _("Add a second factor"),
        verified=user.is_verified(),
        form=form,
        secret=secret,
        spaced_secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308 - our own SVG
        enrolled=enrolled,
        needs_recovery_codes=enrolled and services.recovery_device(user) is None,
    )


def show_recovery_codes(request, codes):
    return page(
        request,
        "twofactor/recovery_codes.html",
        _("Your recovery codes"),
        codes=codes,
    )


@require_POST
@staff_only
def recovery_codes(request):
    """Ten new recovery codes in place of the old ones, shown on this page only."""
    if not request.user.is_verified():
        raise PermissionDenied
    return show_recovery_codes(request, services.replace_recovery_codes(request))


@staff_only
def manage(request):
    """The signed-in person's own factors: list, add, remove; recovery codes."""
    user = request.user
    factors = services.factors(user)
    recovery = services.recovery_device(user)
    return page(
        request,
        "twofactor/manage.html",
        _("Sign-in security"),
        totp_devices=[d for d in factors if isinstance(d, TOTPDevice)],
        passkeys=[d for d in factors if isinstance(d, WebAuthnCredential)],
        recovery_remaining=recovery.remaining if recovery else 0,
        can_remove=len(factors) > 1,
    )


@require_POST
@staff_only
def remove(request, kind, pk):
    """Remove one of one's own factors; the last one stays (staff always have one)."""
    model = FACTOR_KINDS.get(kind)
    if model is None:
        raise Http404
    device = get_object_or_404(model, pk=pk, user=request.user, confirmed=True)
    if len(services.factors(request.user)) < 2:
        messages.error(request, _("This is your only second factor: add another one first."))
    else:
        services.remove_factor(request, device)
        messages.success(request, _("The second factor was removed."))
    return redirect("twofactor:manage")


@require_POST
@staff_only
def logout_everywhere(request):
    """End every session of this account, this one included."""
    services.end_sessions(
        user=request.user, request=request, reason=services.SessionEnd.EVERYWHERE, keep=False
    )
    messages.info(request, _("You were logged out on every device and browser."))
    return redirect("admin:login")


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    """The admin's "change password", which also ends the account's other sessions."""

    form_class = AdminPasswordChangeForm
    success_url = reverse_lazy("admin:password_change_done")
    template_name = "registration/password_change_form.html"

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.end_sessions(
            user=form.user, request=self.request, reason=services.SessionEnd.PASSWORD_CHANGED
        )
        return response


password_change = StaffPasswordChangeView.as_view()


class AdminContextMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**admin.site.each_context(self.request), "has_permission": False, **context}


class PasswordResetView(AdminContextMixin, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    success_url = reverse_lazy("twofactor:password_reset_done")
    email_template_name = "twofactor/password_reset_email.txt"
    subject_template_name = "twofactor/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        # The link starts with SITE_URL, never with the Host header the client sent.
        return {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}


class PasswordResetDoneView(AdminContextMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(AdminContextMixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("twofactor:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.end_sessions(
            user=form.user,
            request=self.request,
            reason=services.SessionEnd.PASSWORD_RESET,
            keep=False,
        )
        return response


class PasswordResetCompleteView(AdminContextMixin, auth_views.PasswordResetCompleteView):
    pass
