"""What a signed-in session remembers about itself: when it began and when it was last used.

Staff sessions end after ``STAFF_SESSION_IDLE_MINUTES`` without a request and
``STAFF_SESSION_MAX_HOURS`` after they began, whatever happens in between; and every session
of an account begun before its ``SessionFence.ended_at`` is over (a password change, a factor
reset, "log out everywhere"). Timestamps are Unix seconds (the test clock moves them too).
"""

import time

from django.conf import settings

STARTED = "staff_session_started"
SEEN = "staff_session_seen"
# The last fence (SessionFence.ended_at) this session was let through: its own password change.
PASSED = "staff_session_passed"
# "Last seen" is written at most this often, not on every request.
SEEN_RESOLUTION = 60


def stamp_new_session(sender, request, user, **kwargs):
    """On every sign-in (``user_logged_in``): the session begins now."""
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now


def expiry(session, now):
    """Why this session is over ("idle" or "lifetime"), or "" while it is not."""
    started = session.get(STARTED)
    seen = session.get(SEEN, started)
    if started is None:
        return ""
    if now - seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - started > settings.STAFF_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    return ""


def touch(session, now):
    if now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
        session[SEEN] = now
