"""Real Chromium through Playwright's sync API, against pytest-django's live server.

One browser per test session; each test gets a fresh context (cookies, storage) and a page
that records every console error and Content-Security-Policy violation. A CSP violation
fails the test that caused it. Screenshots go to tests/e2e/screenshots/ (ignored by git).
"""

import os
import re
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started

from tests.factories import give_authenticator, totp_code

# The live server's requests in flight (its threads, not the tests' own client in the main
# thread). A page's last request can leave as its browser context closes (presence.js tells
# the desk the editor left, on pagehide); with SQLite in memory the live server shares the
# test's connection, so such a request running while the test's rows are flushed writes
# rows whose user is gone, and the flush fails. Each test ends once they are done.
_serving = set()
_serving_lock = threading.Lock()


def _request_began(**kwargs):
    if threading.current_thread() is not threading.main_thread():
        with _serving_lock:
            _serving.add(threading.get_ident())


def _request_ended(**kwargs):
    with _serving_lock:
        _serving.discard(threading.get_ident())


request_started.connect(_request_began, dispatch_uid="e2e_request_began")
request_finished.connect(_request_ended, dispatch_uid="e2e_request_ended")


@pytest.fixture(autouse=True)
def _live_requests_done():
    yield
    time.sleep(0.2)  # a last beacon leaves as its context closes
    for _ in range(200):  # at most 10 s (time.sleep is real under the test clock)
        with _serving_lock:
            if not _serving:
                return
        time.sleep(0.05)


# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# beside it (building data with the factories) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VENDOR = Path(__file__).resolve().parent / "vendor"
TIMEOUT_MS = 10_000

# Record violations from inside the page too (the console message is Chromium's wording).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " +
    e.sourceFile + ":" + e.lineNumber + " on " + location.pathname + " " + e.sample);
});
"""


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the dev dependency group has it
        pytest.fail(f"Playwright is not installed ({error}); run `make install`.")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it or set E2E_CHROMIUM.")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:
        manager.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}")
    yield chromium
    chromium.close()
    manager.stop()


class Console:
    """What the page said: console errors and CSP violations."""

    def __init__(self):
        self.errors = []
        self.csp = []

    def record(self, message):
        if message.type != "error":
            return
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            where = message.location
            self.csp.append(f"{where.get('url')}:{where.get('lineNumber')}: {text}")
        else:
            self.errors.append(f"{text} ({message.location.get('url')})")

    def unexpected_errors(self, allow=()):
        return [e for e in self.errors if not any(re.search(p, e) for p in allow)]


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        accept_downloads=True,
        **context_options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.console = Console()
    page.on("console", page.console.record)
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A page with a strict CSP in force; any CSP violation fails the test."""
    context, page = _new_page(browser, live_server)
    yield page
    violations = list(page.console.csp)
    try:
        for open_page in context.pages:
            if not open_page.is_closed() and open_page.url.startswith(live_server.url):
                violations += open_page.evaluate("window.__cspViolations || []")
    except Exception:  # noqa: S110 - a page that navigated away mid-teardown has nothing to add
        pass
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def axe_page(browser, live_server):
    """A page for accessibility checks: CSP bypassed so the test may inject axe-core."""
    context, page = _new_page(browser, live_server, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source():
    path = VENDOR / "axe.min.js"
    if not path.exists():
        pytest.fail(f"axe-core is missing at {path}; see tests/e2e/vendor/README.md.")
    return path.read_text(encoding="utf-8")


def wait_for_widgets(page):
    """Until the live widgets (htmx, ``data-hx-trigger="load"``) have replaced themselves."""
    page.wait_for_function(
        "() => document.readyState === 'complete'"
        " && !document.querySelector('[data-hx-trigger=\"load\"], .htmx-request, .htmx-settling')"
    )


def screenshot(page, name, **options):
    """Save a screenshot of the page for a person to look at; returns the path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


def sign_in(page, username, password, next_url="/admin/"):
    """Sign in to the admin as staff do: the password, then the code of the person's
    authenticator app (tests.factories.give_authenticator's, made if the person has none),
    in whatever language the admin speaks to them. Ends on ``next_url``."""
    device = give_authenticator(get_user_model().objects.get(username=username))
    page.goto(f"/admin/login/?next={next_url}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/2fa/verify/"))
    page.locator("#id_code").fill(totp_code(device))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(lambda url: "/admin/2fa/" not in url and "/admin/login/" not in url)
