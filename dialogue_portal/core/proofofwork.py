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
from collections.abc import Callable
from dataclasses import dataclass

import altcha
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise

from dialogue_portal.core.ratelimit import (
    DailySlot,
    daily_count,
    daily_slot,
    recent_events,
    seconds_to_tomorrow,
)

ALGORITHM = "SHA-256"
KEY_PREFIX = "altcha:used"
# The payload the widget posts: a base64 JSON of the challenge and the solution, a few
# hundred bytes; anything much longer is refused before it is decoded.
MAX_PAYLOAD_LENGTH = 4096


def _secret(purpose: str) -> str:
    derived = salted_hmac(
        "dialogue_portal.core.proofofwork", "altcha", algorithm="sha256"
    ).hexdigest()
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


@dataclass(frozen=True)
class Refusals:
    """What a reader is told when an anonymous write is refused: a vote's words, or a
    rating's."""

    busy_scope: str | Promise  # many writes in the scope right now, and this one without the check
    busy_address: str | Promise  # the address reached the stricter cap, this one without the check
    full: str | Promise  # the address reached the day's cap: no check helps
    replayed: str | Promise
    expired: str | Promise
    invalid: str | Promise

    def check_failed(self, reason: str) -> str:
        return str({"replayed": self.replayed, "expired": self.expired}.get(reason, self.invalid))


# Renders the form again, refusing: ``render(status=..., error=..., challenge=...)``, where
# ``challenge`` None lets the form ask ``Policy.busy`` itself.
Render = Callable[..., HttpResponse]


def anonymous_slot(
    request: HttpRequest,
    policy: Policy,
    *,
    written: Callable[[], bool],
    render: Render,
    refusals: Refusals,
) -> tuple[DailySlot | None, HttpResponse | None]:
    """One of this address's slots today in ``policy.scope`` for a new anonymous write, or
    the response refusing it: ``(slot, None)`` or ``(None, response)``.

    A write that brings a solved check (``altcha``, from the widget) counts up to the daily
    cap. One without (no JavaScript, or the scope was quiet when the form was shown) counts
    only while neither the scope nor the address is busy, up to the stricter cap. A
    reader's second write (``written()``: they have one in the scope already) is never
    refused here: the caller tells them.
    """
    payload = request.POST.get("altcha", "")
    solved = False
    if payload:
        verdict = verify(payload, policy.scope)
        if not verdict.accepted:
            error = refusals.check_failed(verdict.reason)
            return None, render(status=400, error=error, challenge=True)
        solved = True
    elif (why := policy.busy(request)) and not written():
        return None, _needs_check(render, refusals, why)
    slot = daily_slot(request, scope=policy.scope, limit=policy.limit(solved=solved))
    if slot is None and not written():
        if policy.check_helps(solved=solved):
            return None, _needs_check(render, refusals, "address")  # the check lets it go on
        response = render(status=429, error=str(refusals.full), challenge=None)
        response["Retry-After"] = str(seconds_to_tomorrow())
        return None, response
    return slot, None


def _needs_check(render: Render, refusals: Refusals, why: str) -> HttpResponse:
    """429: the write needs the check, and came without it (``why``: "scope" or "address")."""
    error = refusals.busy_address if why == "address" else refusals.busy_scope
    response = render(status=429, error=str(error), challenge=True)
    response["Retry-After"] = "60"
    return response
