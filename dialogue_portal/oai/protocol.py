"""OAI-PMH 2.0 arguments, errors and resumption tokens.

How a harvest stays whole while editors work
--------------------------------------------
The obvious order for a list, by (datestamp, id), is not stable: an edit moves a record's
datestamp to "now", so a record already sent jumps ahead of the harvester and is sent twice,
and pinning an upper bound at the harvest's start instead makes a record edited before the
harvester reached it fall out of the window and be skipped. Keeping old datestamps to page by
would need a history of every record.

So a list is ordered by what never changes: ``(created, id)`` — ``created`` is the datestamp
at which the record first became visible, the id its row. The resumption token carries:

- ``t``: the harvest's start time, fixed on its first request. Only records created by then
  belong to this harvest; records added later are left to the next incremental harvest (their
  datestamps are later than ``t``, so ``from=<this harvest's responseDate>`` finds them).
- ``c``: the position, the ``(created, id)`` of the last record sent, and ``n``, the cursor.
- the request's own ``from``, ``until``, ``set`` and ``metadataPrefix``, and the list size
  counted at the start (``completeListSize`` stays the same on every page).

Each page is "the records of this harvest after this position", a keyset query, never an
offset. A record that existed throughout is therefore sent exactly once, whatever happens
meanwhile: edited before the harvester reached it, it is sent as it is now (with its new
datestamp); edited after, it is not sent again (the next incremental harvest picks up the new
version, since its datestamp is later than ``t``); deleted before it was reached, it is sent
as a deleted record (records are persistent), so a harvest also learns what went. The same
token always answers the same page of the same list again.

Tokens are signed (``django.core.signing`` with a salt of their own) and expire after
``OAI_TOKEN_SECONDS`` (48 hours by default; ``expirationDate`` says when).
"""

import datetime as dt
import re

from django.conf import settings
from django.core import signing

VERBS = {
    # verb: (required arguments, optional arguments, may be resumed)
    "Identify": (set(), set(), False),
    "ListMetadataFormats": (set(), {"identifier"}, False),
    "ListSets": (set(), set(), True),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), False),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, True),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, True),
}
ARGUMENTS = {"verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"}

# The patterns of OAI-PMH.xsd: a value outside them is illegal syntax (badArgument).
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Characters XML 1.0 can carry (anything else could not even be echoed back).
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

TOKEN_SALT = "dialogue_portal.oai.resumption-token"  # noqa: S105 (a salt, not a secret)
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


class OaiError(Exception):
    """A protocol error: ``code`` is the OAI-PMH error code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self):
        # The protocol: after badVerb or badArgument the request element carries no attributes.
        return self.code not in {"badVerb", "badArgument"}


def xml_safe(value):
    return not _XML_UNSAFE.search(value)


def datestamp(moment):
    """A UTC datestamp at the repository's granularity (seconds)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_seconds():
    return settings.OAI_TOKEN_SECONDS


def _parse_date(name, raw):
    if _DAY.fullmatch(raw):
        fmt, granularity = "%Y-%m-%d", "day"
    elif _SECOND.fullmatch(raw):
        fmt, granularity = "%Y-%m-%dT%H:%M:%SZ", "second"
    else:
        raise OaiError("badArgument", f"'{name}' is not a date: use YYYY-MM-DD or {GRANULARITY}.")
    try:
        moment = dt.datetime.strptime(raw, fmt).replace(tzinfo=dt.UTC)
    except ValueError:
        raise OaiError("badArgument", f"'{name}' is not a date that exists.") from None
    return moment, granularity


def date_window(raw_from, raw_until):
    """``(lower, upper)`` bounds on datestamps, inclusive below and exclusive above."""
    lower = upper = None
    granularities = set()
    if raw_from:
        lower, granularity = _parse_date("from", raw_from)
        granularities.add(granularity)
    if raw_until:
        until, granularity = _parse_date("until", raw_until)
        granularities.add(granularity)
        step = dt.timedelta(days=1) if granularity == "day" else dt.timedelta(seconds=1)
        try:
            upper = until + step
        except OverflowError:
            upper = None  # the end of the calendar: no upper bound
    if len(granularities) > 1:
        raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
    if raw_from and raw_until and lower > until:
        raise OaiError("badArgument", "'from' is later than 'until'.")
    return lower, upper


def parse(params):
    """The verb and its arguments out of a GET query or POST body, checked as the protocol
    asks; raises OaiError(badVerb or badArgument)."""
    arguments = {}
    repeated = []
    for key, values in params.lists():
        if len(values) > 1:
            repeated.append(key)
        arguments[key] = values[-1]
    verb = arguments.get("verb")
    if "verb" in repeated:
        raise OaiError("badVerb", "The verb argument is repeated.")
    if verb is None:
        raise OaiError("badVerb", "The verb argument is missing.")
    if verb not in VERBS:
        raise OaiError("badVerb", "The value of the verb argument is not a legal OAI-PMH verb.")
    if repeated:
        raise OaiError("badArgument", "An argument is repeated.")
    unknown = set(arguments) - ARGUMENTS
    if unknown:
        raise OaiError("badArgument", "The request includes arguments this verb does not take.")
    required, optional, resumable = VERBS[verb]
    given = set(arguments) - {"verb"}
    if "resumptionToken" in given:
        if not resumable:
            raise OaiError("badArgument", f"{verb} takes no resumptionToken.")
        if given != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
    else:
        if given - required - optional:
            raise OaiError("badArgument", f"The request includes arguments {verb} does not take.")
        if required - given:
            raise OaiError("badArgument", f"{verb} needs: {', '.join(sorted(required))}.")
    for key, value in arguments.items():
        if not xml_safe(value) or (key != "resumptionToken" and not value.strip()):
            raise OaiError("badArgument", f"The value of '{key}' is illegal.")
    if "metadataPrefix" in arguments and not _PREFIX.fullmatch(arguments["metadataPrefix"]):
        raise OaiError("badArgument", "The value of 'metadataPrefix' has illegal syntax.")
    if "set" in arguments and not _SET.fullmatch(arguments["set"]):
        raise OaiError("badArgument", "The value of 'set' has illegal syntax.")
    if "identifier" in arguments and re.search(r"\s", arguments["identifier"]):
        raise OaiError("badArgument", "The value of 'identifier' has illegal syntax.")
    if "from" in arguments or "until" in arguments:
        date_window(arguments.get("from"), arguments.get("until"))
    return verb, arguments


def make_token(state):
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def read_token(token, verb):
    """The harvest state a resumption token carries, or OaiError(badResumptionToken)."""
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=token_seconds())
    except signing.SignatureExpired:
        raise OaiError("badResumptionToken", "The resumptionToken has expired.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise OaiError("badResumptionToken", "The resumptionToken is invalid.") from None
    if not isinstance(state, dict) or state.get("v") != 1 or state.get("verb") != verb:
        raise OaiError("badResumptionToken", "The resumptionToken belongs to another list.")
    return state
