"""Staff sessions: the second factor before anything else, and sessions that end.

Listed after django-otp's OTPMiddleware (which knows whether a second factor verified the
session) and the admin's language middleware. For a signed-in member of staff, on every
request:

- a session the account's owner ended elsewhere (password changed, factor reset, "log out
  everywhere"), idle for longer than STAFF_SESSION_IDLE_MINUTES or older than
  STAFF_SESSION_MAX_HOURS is logged out;
- until a second factor has verified the session, the admin shows only the pages that ask
  for one (or set one up, for staff who have none yet), and the public site treats the
  person as a reader, so half a sign-in shows no drafts.

Readers (accounts that are not staff) pass untouched, and so does every request without a
signed-in session.
"""

import time
from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from dialogue_portal.staff.middleware import ADMIN_PREFIX
from dialogue_portal.twofactor import services, sessions, signals

# What a member of staff may open before the second factor: signing in and out, the
# second-factor pages themselves, and the password reset by e-mail.
OPEN_BEFORE_SECOND_FACTOR = (
    f"{ADMIN_PREFIX}login/",
    f"{ADMIN_PREFIX}logout/",
    f"{ADMIN_PREFIX}2fa/verify/",
    f"{ADMIN_PREFIX}2fa/setup/",
    f"{ADMIN_PREFIX}2fa/webauthn/",
    f"{ADMIN_PREFIX}password_reset/",
    f"{ADMIN_PREFIX}reset/",
)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a signed-in session there is nothing to check (and nothing to load).
        if SESSION_KEY in request.session:
            user = request.user
            if user.is_authenticated and user.is_staff:
                response = self.check(request, user)
                if response is not None:
                    return response
        return self.get_response(request)

    def check(self, request, user):
        now = time.time()
        if services.session_is_fenced(request):
            logout(request)
            return None
        reason = sessions.expiry(request.session, now)
        if reason:
            logout(request)
            signals.sessions_ended.send(
                sender=type(user), user=user, request=request, reason=reason
            )
            return None
        if sessions.STARTED not in request.session:
            request.session[sessions.STARTED] = now
        sessions.touch(request.session, now)
        if user.is_verified():
            return None
        if not request.path_info.startswith(ADMIN_PREFIX):
            request.user = AnonymousUser()
            return None
        if request.path_info.startswith(OPEN_BEFORE_SECOND_FACTOR):
            return None
        step = "twofactor:verify" if services.has_factor(user) else "twofactor:setup"
        target = reverse(step)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
