"""Who is rating or voting: a signed-in user, or an anonymous reader the server issued.

A reader is stored as a short key: ``user:<id>`` or ``anon:<token>``. The anonymous token
is a random id made by the server and handed out in a signed (``django.core.signing``,
salted, timestamped), long-lived, HttpOnly cookie. Only the never-cached responses that
show a rating or vote form set it (the live widgets ``polls:ballot`` and
``publications:rating``, which the cached pages load with htmx or link to without
JavaScript), and a refused write that shows the form again; a cached page never carries it.

A write must present that cookie: nothing the client picks (its CSRF cookie, a header)
makes a reader, so a script cannot count once per made-up cookie. It can still ask the
widget for new readers, which is what the per-address daily caps (``ratelimit.daily_slot``)
bound. Because the reader exists before the first POST, a double click or two tabs send
the same cookie and the database's unique constraint keeps them to one row.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse

COOKIE_SALT = "dialogue_portal.core.readers"
TOKEN_LENGTH = 32


@dataclass(frozen=True)
class Reader:
    key: str
    user: User | None = None  # a signed-in reader; None for an anonymous one
    new_token: str = ""

    @property
    def is_anonymous(self):
        return self.user is None


def _cookie_token(request):
    token = request.get_signed_cookie(
        settings.READER_COOKIE_NAME,
        default="",
        salt=COOKIE_SALT,
        max_age=settings.READER_COOKIE_MAX_AGE,
    )
    if token and len(token) == TOKEN_LENGTH and token.isalnum():
        return token
    return ""


def known_reader(request):
    """The reader behind a request, or None when it is anonymous and holds no reader
    cookie the server signed (missing, forged, unsigned or expired)."""
    user = request.user
    if user.is_authenticated:
        return Reader(key=f"user:{user.pk}", user=user)
    token = _cookie_token(request)
    return Reader(key=f"anon:{token}") if token else None


def reader_for_write(request) -> Reader | None:
    """The reader behind a write: a signed-in user or a reader the server issued; None when
    the request brings neither (the write must be refused, never counted)."""
    return known_reader(request)


def issue_reader() -> Reader:
    """A new anonymous reader, its token made here at random (never from the request);
    ``remember_reader`` hands it to the browser."""
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    return Reader(key=f"anon:{token}", new_token=token)


def remember_reader(response, reader):
    """Set the signed cookie for a newly issued reader (only ever on a never-cached
    response: a live widget, or a refused write showing the form again)."""
    if reader is not None and reader.new_token:
        response.set_signed_cookie(
            settings.READER_COOKIE_NAME,
            reader.new_token,
            salt=COOKIE_SALT,
            max_age=settings.READER_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def signed_reader_cookie(token):
    """The cookie value a browser holds for ``token`` (for tests and tools)."""
    response = HttpResponse()
    response.set_signed_cookie(settings.READER_COOKIE_NAME, token, salt=COOKIE_SALT)
    return response.cookies[settings.READER_COOKIE_NAME].value


def relaxed_commit():
    """Inside a reader's rating or vote transaction: do not wait for the disk at COMMIT
    (PostgreSQL's ``synchronous_commit = off`` for this transaction only). A crash of the
    database may lose the last fraction of a second of votes, each whole (its row and its
    counts together), never half of one; a sync worker no longer waits some 10 ms per vote
    on a shared disk, which during a vote storm is time taken from readers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
