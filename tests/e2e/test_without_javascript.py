"""Rating and voting in Chromium with JavaScript switched off: plain links to the reader's
own rating and ballot pages, plain POST forms, a redirect back with a message."""

import re

import pytest
from playwright.sync_api import expect

from polls.models import Poll, Vote
from publications.models import Publication, Rating
from tests.e2e.conftest import _new_page, screenshot
from tests.factories import make_person, make_poll, make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


def test_a_reader_without_javascript_rates_and_votes(page_without_js, live_server):
    page = page_without_js
    report = make_publication(title="A report to rate", authors=[make_person()])
    poll = make_poll(
        question="Should the dialogue go on?",
        answers=("Yes", "No"),
        placement=Poll.Placement.EVERYWHERE,
    )

    page.goto(report.get_absolute_url())
    expect(page.locator("#rating-widget")).to_contain_text("no votes yet")
    page.locator("#rating-widget").get_by_role("link", name="Give your rating").click()
    form = page.locator("#rating-form")
    form.get_by_label("5 stars").check()
    form.get_by_role("button", name="Rate").click()
    expect(page.get_by_role("status").first).to_contain_text("5 stars")
    expect(page.locator("body")).to_contain_text("votes: 1, rating: 5")
    screenshot(page, "nojs-01-rated", full_page=True)

    page.goto(report.get_absolute_url())
    page.get_by_role("link", name=re.compile("Vote and see the results")).first.click()
    ballot = page.locator("#poll-form")
    ballot.get_by_label("No").check()
    ballot.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you for voting.")
    expect(page.locator(".poll-results")).to_contain_text("1 vote (100%)")
    screenshot(page, "nojs-02-voted", full_page=True)

    # Once each, in the database.
    assert Rating.objects.filter(publication=report).count() == 1
    assert Publication.objects.get(pk=report.pk).rating_count == 1
    assert Vote.objects.filter(poll=poll).count() == 1
