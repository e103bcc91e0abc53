"""The API's documentation page runs Swagger UI from our own static files under the site's
strict Content-Security-Policy (the page fixture fails on any violation) and shows every
endpoint; a cross-origin page can read the API with fetch()."""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_docs_page_lists_the_endpoints_under_the_strict_policy(page, live_server):
    make_publication(slug="report")
    response = page.goto("/api/docs/")
    assert response.status == 200
    assert page.title() == "API documentation · Dialogue Portal"
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.get_by_text("/api/publications/{slug}/").first.wait_for()
    page.locator("#operations-publications-publications_retrieve").click()
    page.get_by_text("PublicationDetail").first.wait_for()
    screenshot(page, "api_docs", full_page=False)
    assert page.evaluate("window.__cspViolations") == []
    assert page.console.unexpected_errors() == []


def test_another_origin_reads_the_api_with_fetch(browser, live_server):
    make_publication(slug="report", title="Read from elsewhere")
    # The site's own policy (connect-src 'self') would stop the page; a partner's would not.
    context = browser.new_context(bypass_csp=True)
    other = context.new_page()
    # Two names of one server are two origins: the page on one, the API read on the other.
    here, there = "localhost", "127.0.0.1"
    if there in live_server.url:
        here, there = there, here
    other.goto(live_server.url.replace(there, here) + "/robots.txt")
    url = live_server.url.replace(here, there) + "/api/publications/report/"
    title = other.evaluate(
        "url => fetch(url, {headers: {'If-None-Match': 'x'}})"
        ".then(r => r.json()).then(d => d.title)",
        url,
    )
    context.close()
    assert title == "Read from elsewhere"
