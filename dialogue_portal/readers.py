"""Who is rating or voting: a signed-in user, or an anonymous reader with a signed cookie.

A reader is stored as a short key: ``user:<id>`` or ``anon:<token>``. The anonymous token
lives in a signed, long-lived cookie that is set only on the response to a write, so pages
that may be cached never carry it.

A new anonymous reader's token is derived from the browser's CSRF secret (which every
accepted POST has), keyed with SECRET_KEY: a double click or two tabs sending their first
vote at once therefore agree on one reader instead of counting twice. After that the
signed cookie is what identifies the reader, even when the CSRF cookie rotates.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

COOKIE_SALT = "dialogue_portal.readers"
TOKEN_LENGTH = 32


@dataclass(frozen=True)
class Reader:
    key: str
    user: object = None
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


def _new_token(request):
    csrf_secret = request.META.get("CSRF_COOKIE", "")
    if not csrf_secret:
        return secrets.token_hex(TOKEN_LENGTH // 2)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{COOKIE_SALT}:{csrf_secret}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:TOKEN_LENGTH]


def known_reader(request):
    """The reader behind a read-only request, or None if they have never rated or voted."""
    user = request.user
    if user.is_authenticated:
        return Reader(key=f"user:{user.pk}", user=user)
    token = _cookie_token(request)
    return Reader(key=f"anon:{token}") if token else None


def reader_for_write(request):
    """The reader behind a write; a new anonymous reader gets a token to remember."""
    reader = known_reader(request)
    if reader is not None:
        return reader
    token = _new_token(request)
    return Reader(key=f"anon:{token}", new_token=token)


def remember_reader(response, reader):
    """Set the signed cookie for a new anonymous reader (only ever on a write's response)."""
    if reader.new_token:
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
