"""A proof-of-work check (ALTCHA) asked of anonymous readers when a poll or an address is busy.

No third party and no personal data: the server makes a challenge, signs it with an HMAC
key of its own (``ALTCHA_HMAC_KEY``, by default derived from ``SECRET_KEY``), and the
reader's browser (the vendored ``altcha`` widget, ``static/vendor/altcha``) finds the
counter that solves it: some tens of thousands of SHA-256 hashes, a second or two for a
reader, a cost on every vote for a script. The check then verifies, without storing
anything per reader:

- the signature (nothing in the challenge was changed, the ``scope`` included: a solution
  for one poll is no good for another),
- the expiry (``ALTCHA_EXPIRES_SECONDS`` after it was issued),
- the solution (the derived key, through the key signature the challenge carries),
- that this challenge was never accepted before: the first acceptance is recorded in the
  shared cache (``cache.add``, atomic in Redis) until the challenge expires, so a replayed
  solution is refused.

The challenges use ALTCHA's v2 proof of work, in its deterministic form: the server picks
the counter at random below ``ALTCHA_MAX_NUMBER`` and the widget searches for it.
"""

import secrets
import time
from dataclasses import dataclass

import altcha
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from dialogue_portal.ratelimit import daily_count, recent_events

ALGORITHM = "SHA-256"
KEY_PREFIX = "altcha:used"
# The payload the widget posts: a base64 JSON of the challenge and the solution, a few
# hundred bytes; anything much longer is refused before it is decoded.
MAX_PAYLOAD_LENGTH = 4096


def _secret(purpose: str) -> str:
    derived = salted_hmac("dialogue_portal.proofofwork", "altcha", algorithm="sha256").hexdigest()
    base = settings.ALTCHA_HMAC_KEY or derived
    return salted_hmac(purpose, "altcha", secret=base, algorithm="sha256").hexdigest()


def challenge(scope: str) -> dict:
    """A new signed challenge for ``scope`` (such as ``poll:12``), as the widget reads it."""
    issued = altcha.create_challenge(
        ALGORITHM,
        1,
        counter=secrets.randbelow(settings.ALTCHA_MAX_NUMBER),
        expires_at=int(time.time()) + settings.ALTCHA_EXPIRES_SECONDS,
        data={"scope": scope},
        hmac_secret=_secret("challenge"),
        hmac_key_secret=_secret("key"),
    )
    return issued.to_dict()


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str = ""  # "missing", "invalid", "expired", "scope", "replayed"


def verify(payload: str, scope: str) -> Verdict:
    """Accept ``payload`` (the widget's form field) once, for ``scope``."""
    if not payload:
        return Verdict(False, "missing")
    if len(payload) > MAX_PAYLOAD_LENGTH:
        return Verdict(False, "invalid")
    try:
        parsed = altcha.Payload.from_base64(payload)
        result = altcha.verify_solution(
            parsed, _secret("challenge"), hmac_key_secret=_secret("key")
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return Verdict(False, "invalid")
    if result.expired:
        return Verdict(False, "expired")
    if not result.verified:
        return Verdict(False, "invalid")
    parameters = parsed.challenge.parameters
    if not isinstance(parameters.data, dict) or parameters.data.get("scope") != scope:
        return Verdict(False, "scope")
    remaining = max(1, int(parameters.expires_at or 0) - int(time.time())) + 60
    if not cache.add(f"{KEY_PREFIX}:{parsed.challenge.signature}", 1, timeout=remaining):
        return Verdict(False, "replayed")
    return Verdict(True)


@dataclass(frozen=True)
class Policy:
    """When an anonymous reader's write in ``scope`` (``poll:12``, ``publication:7``) needs
    the check, and how many one address may add there in a day (``ratelimit.daily_slot``
    counts them; 0: no cap): up to ``cap`` with a solved check, up to ``stricter``
    without one."""

    scope: str
    busy_per_minute: int  # writes in the scope in the last minute that make it busy (0: never)
    cap: int
    stricter: int  # 0: the same as ``cap``

    def unsolved_cap(self) -> int:
        """The stricter cap of a write without a solved check, never above ``cap``."""
        stricter = self.stricter or self.cap
        return min(stricter, self.cap) if self.cap else stricter

    def limit(self, *, solved: bool) -> int:
        return self.cap if solved else self.unsolved_cap()

    def busy(self, request: HttpRequest) -> str:
        """Why a write from this address needs the check now: "scope" (many writes in it
        in the last minute), "address" (this address reached the stricter cap in it today;
        at the cap itself the check cannot help), or "" (it does not)."""
        if self.busy_per_minute and recent_events(self.scope) > self.busy_per_minute:
            return "scope"
        stricter = self.unsolved_cap()
        below_cap = stricter and (not self.cap or stricter < self.cap)
        if below_cap and daily_count(request, scope=self.scope) >= stricter:
            return "address"
        return ""

    def check_helps(self, *, solved: bool) -> bool:
        """Whether a write refused by its daily slot would have been taken with the check."""
        return not solved and (not self.cap or self.unsolved_cap() < self.cap)
