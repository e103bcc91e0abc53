"""Signed links in mails. They carry the subscriber's id and a random value stored on the
subscriber, never the address.

- Confirmation links expire after 72 hours and work once: the nonce they carry is cleared
  when used, and replaced when a new confirmation mail goes out.
- Preference and unsubscribe links do not expire (they sit in every mail a subscriber
  keeps); they carry the subscriber's manage key, which erasing replaces.
"""

import datetime as dt

from django.core import signing

CONFIRM_SALT = "dialogue_portal.newsletter.confirm"
MANAGE_SALT = "dialogue_portal.newsletter.manage"
CONFIRM_MAX_AGE = dt.timedelta(hours=72)


class BadLink(Exception):
    """The link was tampered with, has expired or was already used."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"


def confirm_token(subscriber):
    return signing.dumps({"s": subscriber.pk, "n": subscriber.confirm_nonce}, salt=CONFIRM_SALT)


def manage_token(subscriber):
    return signing.dumps({"s": subscriber.pk, "k": subscriber.manage_key}, salt=MANAGE_SALT)


def _payload(token, *, salt, max_age=None):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadLink("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadLink("invalid")
    return data


def read_confirm_token(token):
    """(subscriber id, nonce) from a confirmation link, or BadLink."""
    data = _payload(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    nonce = data.get("n")
    if not isinstance(nonce, str):
        raise BadLink("invalid")
    if not nonce:
        raise BadLink("used")
    return data["s"], nonce


def read_manage_token(token):
    """(subscriber id, manage key) from a preference or unsubscribe link, or BadLink."""
    data = _payload(token, salt=MANAGE_SALT)
    key = data.get("k")
    if not isinstance(key, str) or not key:
        raise BadLink("invalid")
    return data["s"], key
