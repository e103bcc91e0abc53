"""A reader whose network has used its free subscribe requests of the hour, in Chromium:
with JavaScript the form comes back with the ALTCHA widget, the browser solves the check
(under the strict Content-Security-Policy: the page fixture fails on any violation) and the
subscription goes through; without JavaScript the reader is told why."""

import re

import pytest
from playwright.sync_api import expect

from dialogue_portal.newsletter.models import Subscriber
from tests.e2e.conftest import _new_page, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the browser logs of the form coming back refused, asking for the check.
REFUSED = r"status of 429 \(Too Many Requests\)"


@pytest.fixture(autouse=True)
def _caps(settings):
    settings.ALTCHA_MAX_NUMBER = 5_000
    settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = 1
    settings.SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR = 3


def subscribe(page, address):
    """Fill in the newsletter page's form (as it stands) and send it."""
    form = page.locator("form.newsletter-form")
    form.locator("input[name=email]").fill(address)
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()


def test_a_reader_over_the_cap_solves_the_check_and_subscribes(page):
    page.goto("/newsletter/")
    subscribe(page, "first@example.org")  # the network's one free request of the hour
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    page.goto("/newsletter/")
    subscribe(page, "second@example.org")
    form = page.locator("form.newsletter-form")
    expect(page.get_by_role("alert")).to_contain_text("needs a short check")
    expect(form.locator("input[name=email]")).to_have_value("second@example.org")
    expect(form.locator("altcha-widget")).to_be_visible()
    expect(form.locator("#subscribe-check-help")).to_be_visible()
    assert not Subscriber.objects.filter(email="second@example.org").exists()

    form.locator("input[name=consent]").check()
    form.locator("altcha-widget").get_by_text("I'm not a robot").click()
    expect(form.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(r".{40,}"), timeout=30_000
    )
    screenshot(page, "busy-subscribe-01-check-solved", full_page=True)
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    screenshot(page, "busy-subscribe-02-check-your-inbox")
    assert Subscriber.objects.get(email="second@example.org").state == "pending"
    assert page.console.unexpected_errors(allow=[REFUSED]) == []


def test_the_check_on_the_form_speaks_russian(page):
    page.goto("/ru/newsletter/")
    subscribe(page, "first@example.org")
    page.goto("/ru/newsletter/")
    widget = page.locator("form.newsletter-form altcha-widget")
    expect(widget).to_contain_text("Я не робот")
    assert page.console.unexpected_errors() == []


def test_without_javascript_the_reader_is_told_why(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    try:
        page.goto("/newsletter/")
        subscribe(page, "first@example.org")
        page.goto("/newsletter/")
        subscribe(page, "second@example.org")
        expect(page.get_by_role("alert")).to_contain_text("needs a short check")
        form = page.locator("form.newsletter-form")
        assert "This check needs JavaScript" in form.inner_html()
        expect(form.locator("#subscribe-check-help")).to_be_hidden()
        screenshot(page, "busy-subscribe-03-nojs-refused", full_page=True)
    finally:
        context.close()
    assert not Subscriber.objects.filter(email="second@example.org").exists()
