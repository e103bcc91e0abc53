"""In Chromium, on an archive where ranking is slow: after an editor publishes, a reader's
search is answered at once with the last ranking, and the refresher's new ranking shows
on the next visit."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dialogue_portal.core.pagecache import bump_content_version
from tests.e2e.conftest import screenshot, wait_for_widgets
from tests.factories import make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_search_after_a_save_shows_the_last_ranking_until_ranked_again(page, settings):
    settings.RANK_INLINE_MS = 0  # every ranking is slow, as at a million publications
    make_publication(title="Arms control in the Arctic", summary="Arms control.", days_ago=3)

    page.goto("/")
    wait_for_widgets(page)
    page.get_by_label("Search the portal").fill("arms control")
    page.get_by_label("Search the portal").press("Enter")
    cards = page.locator("section[aria-labelledby=sr-publications] .card")
    expect(cards).to_have_count(1)

    make_publication(
        title="Arms control after the treaty", summary="Arms control, arms control.", days_ago=1
    )
    bump_content_version()  # as the admin's save does: every cached page and ranking is stale
    page.reload()
    expect(cards).to_have_count(1)  # the last ranking, at once
    expect(cards.first).to_contain_text("Arms control in the Arctic")
    screenshot(page, "search-last-ranking", full_page=True)

    call_command("refresh_counts", verbosity=0)  # the refresher's next pass
    page.reload()
    expect(cards).to_have_count(2)
    expect(page.locator(".results__count")).to_have_text("2 results for “arms control”")
    screenshot(page, "search-ranked-again", full_page=True)
