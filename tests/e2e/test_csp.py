"""Every public page type, in both languages, loads and runs its scripts and live widgets
without a single Content-Security-Policy violation (the page fixture fails on any)."""

import pytest

from tests.e2e.conftest import wait_for_widgets
from tests.e2e.test_accessibility import NOT_FOUND, build_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_pages_run_under_the_strict_policy(page):
    pages = build_pages()
    for prefix in ("", "/ru"):
        for name, url in pages.items():
            response = page.goto(prefix + url)
            assert response.status == (404 if name in NOT_FOUND else 200), url
            policy = response.headers["content-security-policy"]
            assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
            wait_for_widgets(page)
            violations = page.evaluate("window.__cspViolations")
            assert violations == [], f"{prefix + url}: {violations}"
    assert page.console.unexpected_errors(allow=[r"404 \(Not Found\)"]) == []
