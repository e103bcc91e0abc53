"""In Chromium, on an archive where counting is slow: a reader who picks a filter set no
one counted yet gets the list at once, pages through it with "Next", and sees the counts
once the refresher has counted them."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_widgets
from tests.factories import make_publication, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_new_filter_set_is_listed_at_once_and_counted_by_the_refresher(page, settings):
    settings.COUNTS_INLINE_MS = 0  # every count is slow, as at a million publications
    arctic = make_topic(name="Arctic", slug="arctic")
    for day in range(21):
        make_publication(topics=[arctic], kind="report", days_ago=day + 1)
    make_publication(kind="briefing", title="Sanctions and Energy")
    call_command("refresh_counts", verbosity=0)  # the unfiltered counts, as deployed

    page.goto("/publications/")
    wait_for_widgets(page)
    expect(page.locator("#results-count")).to_have_text("22 publications")
    page.get_by_label("Arctic").check()  # htmx asks for the filtered results
    results = page.locator("#results")
    expect(results).to_have_attribute("data-counts", "pending")
    expect(page.locator("#results-count")).to_have_text("Matching publications")
    expect(results.get_by_role("status")).to_contain_text("being counted")
    expect(results.locator(".card")).to_have_count(20)
    expect(page.locator("label[for='f-topic-arctic'] .count")).to_have_count(0)
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("Page 1")
    screenshot(page, "counts-pending-list", full_page=True)

    page.locator(".pagination a[rel=next]").click()
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("Page 2")
    expect(page.locator("#results .card")).to_have_count(1)
    expect(page.locator(".pagination a[rel=next]")).to_have_count(0)

    call_command("refresh_counts", verbosity=0)  # the refresher's next pass
    page.reload()
    wait_for_widgets(page)
    expect(page.locator("#results")).not_to_have_attribute("data-counts", "pending")
    expect(page.locator("#results-count")).to_have_text("21 publications")
    expect(page.locator("label[for='f-topic-arctic'] .count")).to_have_text("(21)")
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("Page 2 of 2")
    screenshot(page, "counts-pending-counted", full_page=True)
