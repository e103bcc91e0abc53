"""In Chromium: filtering the list in place leaves an address worth sharing, naming only
the filters that differ from the defaults (no empty fields, no default sort)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_widgets
from tests.factories import make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_filtering_in_place_shows_an_address_without_noise(page, prefix):
    make_publication(title="Deterrence in the Baltic", kind="report", days_ago=2)
    make_publication(title="Cyber Norms After 2020", kind="briefing", days_ago=1)
    page.goto(f"{prefix}/publications/")
    wait_for_widgets(page)
    page.evaluate("window.__sameDocument = true")

    page.locator("#f-kind-report").check()
    expect(page.locator(".card__title")).to_have_count(1)
    expect(page.locator(".card__title")).to_have_text("Deterrence in the Baltic")
    expect(page).to_have_url(re.compile(re.escape(f"{prefix}/publications/?kind=report") + "$"))
    assert page.evaluate("window.__sameDocument === true"), "the filter reloaded the page"
    # What htmx sent held every field of the form; the address keeps none of the empty ones.
    assert not re.search(r"[?&][a-z_]+=(&|$)", page.url), page.url
    assert "sort=" not in page.url
    wait_for_widgets(page)
    screenshot(page, f"filter-address-{prefix.strip('/') or 'en'}")

    # A sort that is not the default is named, after the filter (the names in order).
    page.locator("#id_sort").select_option("rating")
    expect(page).to_have_url(
        re.compile(re.escape(f"{prefix}/publications/?kind=report&sort=rating") + "$")
    )
    page.locator("#id_sort").select_option("newest")
    expect(page).to_have_url(re.compile(re.escape(f"{prefix}/publications/?kind=report") + "$"))

    # The address shared opens the same list.
    page.goto(page.url)
    expect(page.locator("#f-kind-report")).to_be_checked()
    expect(page.locator(".card__title")).to_have_text("Deterrence in the Baltic")
