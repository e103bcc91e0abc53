"""The second factor and the staff sessions: what the views and the admin do, in one place."""

import base64
import time

from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from dialogue_portal.twofactor import sessions, signals
from dialogue_portal.twofactor.models import RecoveryCodeDevice, SessionFence

PENDING_TOTP_KEY = "twofactor_pending_totp"


class SessionEnd:
    """The ``reason`` of ``sessions_ended``."""

    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason, not a password
    FACTOR_RESET = "factor_reset"
    EVERYWHERE = "logout_everywhere"
    IDLE = "idle"
    LIFETIME = "lifetime"


def factors(user):
    """The user's confirmed TOTP devices and passkeys (recovery codes are not a factor on
    their own: they stand in for a lost one)."""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if isinstance(device, (TOTPDevice, WebAuthnCredential))
    ]


def has_factor(user):
    return bool(factors(user))


def recovery_device(user):
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def base32_secret(device):
    """A TOTP device's key as authenticator apps take it (base32, without padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def hex_key(base32):
    """The hex key django-otp keeps for a base32 secret (as the demo prints it)."""
    padded = base32.upper() + "=" * (-len(base32) % 8)
    return base64.b32decode(padded).hex()


def pending_totp_device(request):
    """The authenticator the enrolment page offers, not saved until its first code confirms
    it. Its key waits in the session, so opening the page again shows the same secret to a
    person who scanned it and came back, and looking at the page writes no row."""
    key = request.session.get(PENDING_TOTP_KEY)
    if not key:
        key = request.session[PENDING_TOTP_KEY] = random_hex(20)
    return TOTPDevice(user=request.user, name="Authenticator", key=key, confirmed=True)


def confirm_totp(request, device, code):
    """True when ``code`` is the pending device's current code: the device is saved, and
    verifies the session."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    try:
        token = int("".join(code.split()))
    except ValueError:
        return False
    if not totp.verify(token, device.tolerance):
        return False
    device.last_t = totp.t()  # this code is used
    device.save()
    request.session.pop(PENDING_TOTP_KEY, None)
    after_factor_added(request, device)
    return True


def after_factor_added(request, device):
    """A factor was added (a TOTP device confirmed, a passkey registered): the session counts
    as verified by it if it was not yet, and the addition is announced."""
    if not request.user.is_verified():
        otp_login(request, device)
    signals.factor_added.send(
        sender=type(device), user=request.user, device=device, request=request
    )


def replace_recovery_codes(request):
    """Ten new recovery codes for the signed-in user, in place of any left; returns them."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=request.user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    codes = device.replace_codes()
    signals.factor_added.send(
        sender=RecoveryCodeDevice, user=request.user, device=device, request=request
    )
    return codes


def verify_code(request, code):
    """Check a code typed at sign-in: a TOTP code of one of the user's authenticators, else a
    recovery code. On success the session is verified; on failure the failure is announced
    and counted by the login lockout (django-axes listens to ``user_login_failed``)."""
    user = request.user
    code = code.strip()
    compact = "".join(code.split())
    devices = factors(user) if compact.isdigit() else []
    for device in devices:
        if isinstance(device, TOTPDevice) and device.verify_token(compact):
            otp_login(request, device)
            return True
    recovery = None if compact.isdigit() else recovery_device(user)
    if recovery is not None and recovery.verify_token(code):
        otp_login(request, recovery)
        signals.recovery_code_used.send(sender=RecoveryCodeDevice, user=user, request=request)
        return True
    second_factor_failed(request)
    return False


def second_factor_failed(request):
    """Announce a failed second factor, and count it toward the lockout like a wrong
    password. When the lockout now holds, the half-open session ends too."""
    user = request.user
    signals.second_factor_failed.send(sender=type(user), user=user, request=request)
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)


def remove_factor(request, device):
    """The signed-in user removes one of their own factors (never the last one). Announced
    in the same transaction, while the device still has its id."""
    with transaction.atomic():
        signals.factor_removed.send(
            sender=type(device), user=request.user, device=device, request=request
        )
        device.delete()


def reset_factors(*, user, by, request):
    """A superuser removes every factor and recovery code of ``user``, and ends the user's
    sessions: at the next sign-in the user enrols again."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        end_sessions(user=user, request=request, reason=SessionEnd.FACTOR_RESET, keep=False)
    signals.factor_reset.send(sender=type(user), user=user, by=by, request=request)


def end_sessions(*, user, request, reason, keep=True):
    """End every session of ``user`` begun until now. With ``keep`` the request's own
    session (when it is the user's) goes on; "log out everywhere" passes ``keep=False``."""
    now = timezone.now()
    SessionFence.objects.update_or_create(user=user, defaults={"ended_at": now})
    if request is not None and request.user.is_authenticated and request.user.pk == user.pk:
        if keep:
            request.session[sessions.PASSED] = now.timestamp()
            update_session_auth_hash(request, user)
        else:
            logout(request)
    transaction.on_commit(
        lambda: signals.sessions_ended.send(
            sender=type(user), user=user, request=request, reason=reason
        )
    )


def session_is_fenced(request):
    """True when the account's sessions were ended after this session began."""
    fence = SessionFence.objects.filter(user_id=request.user.pk).values_list("ended_at", flat=True)
    ended_at = fence.first()
    if ended_at is None:
        return False
    began = max(request.session.get(sessions.STARTED, 0), request.session.get(sessions.PASSED, 0))
    return began < ended_at.timestamp()
