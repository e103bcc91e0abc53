"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the newsletter tests, and helpers to read
what it received and to make subscribers."""

import datetime as dt
import email
import email.policy
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from dialogue_portal.newsletter.models import CONSENT_VERSION, Subscriber, hash_address

SMTP_PORTS = range(2525, 2536)  # this project's test ports for SMTP


def free_port():
    for port in SMTP_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free SMTP port in 2525-2535")


class Inbox:
    """aiosmtpd handler: keeps every message, refuses the addresses in ``refuse``."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.refuse = {}  # address -> "550 ..." or "451 ..."
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.refuse.clear()

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Mail goes to the real SMTP server for this test; yields its inbox, emptied."""
    inbox, port = smtp_server
    inbox.clear()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    settings.SITE_URL = "https://portal.example.org"
    yield inbox
    inbox.clear()


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that is not there: the connection is refused."""
    port = free_port()  # bound by nobody
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return port


def parts(message):
    """(text part, html part) of a received message, as strings."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else None, html.get_content() if html else None)


LINK = re.compile(r"https?://[^\s<>\"']+")


def links_in(text):
    return LINK.findall(text or "")


def local_path(url, site_url="https://portal.example.org"):
    assert url.startswith(site_url), url
    return url[len(site_url) :]


def make_subscriber(email_address=None, *, state="confirmed", topics=(), **fields):
    email_address = email_address or f"reader{Subscriber.objects.count() + 1}@example.org"
    now = timezone.now()
    fields.setdefault("language", "en")
    fields.setdefault("frequency", "weekly")
    fields.setdefault("consent_at", now - dt.timedelta(days=30))
    fields.setdefault("consent_version", CONSENT_VERSION)
    fields.setdefault("consent_language", "en")
    fields.setdefault("consent_source", "/newsletter/")
    if state in ("confirmed", "unsubscribed", "suppressed"):
        fields.setdefault("confirmed_at", now - dt.timedelta(days=29))
    subscriber = Subscriber.objects.create(
        email=email_address if state != "erased" else None,
        address_hash=hash_address(email_address),
        state=state,
        **fields,
    )
    subscriber.topics.set(topics)
    return subscriber
