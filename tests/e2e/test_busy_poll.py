"""A busy poll in Chromium: with JavaScript the ALTCHA widget solves the proof-of-work check
(under the strict Content-Security-Policy: the page fixture fails on any violation) and the
vote counts; without JavaScript the reader votes under the stricter cap and, past it, is
told why. A busy publication's rating form asks for the same check."""

import re

import pytest
from playwright.sync_api import expect

from dialogue_portal.core.ratelimit import add_event
from polls.models import Poll, Vote
from publications.models import Publication
from tests.e2e.conftest import _new_page, screenshot, wait_for_widgets
from tests.factories import make_person, make_poll, make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _checks(settings):
    settings.ALTCHA_MAX_NUMBER = 5_000
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 20
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 6
    settings.POLL_BUSY_VOTES_PER_MINUTE = 30
    settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE = 30


def busy_poll(settings):
    poll = make_poll(
        question="Should the dialogue go on?",
        answers=("Yes", "No"),
        placement=Poll.Placement.EVERYWHERE,
    )
    settings.POLL_BUSY_VOTES_PER_MINUTE = 2
    for _ in range(3):  # three votes this minute, from elsewhere
        add_event(f"poll:{poll.pk}")
    return poll


def test_a_reader_with_javascript_solves_the_check_and_votes(page, settings):
    poll = busy_poll(settings)
    page.goto(poll.get_absolute_url())
    wait_for_widgets(page)
    form = page.locator("#poll-form")
    expect(form.locator("altcha-widget")).to_be_visible()
    form.get_by_label("No", exact=True).check()
    form.locator("altcha-widget").get_by_text("I'm not a robot").click()
    expect(form.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(r".{40,}"), timeout=30_000
    )
    screenshot(page, "busy-01-check-solved", full_page=True)
    form.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you for voting.")
    expect(page.locator(".poll-results")).to_contain_text("1 vote (100%)")
    screenshot(page, "busy-02-voted", full_page=True)
    assert Vote.objects.filter(poll=poll).count() == 1
    assert Poll.objects.get(pk=poll.pk).total_votes == 1
    assert page.console.unexpected_errors() == []


def test_the_check_speaks_russian(page, settings):
    poll = busy_poll(settings)
    page.goto("/ru" + poll.get_absolute_url())
    wait_for_widgets(page)
    widget = page.locator("#poll-form altcha-widget")
    expect(widget).to_contain_text("Я не робот")
    assert page.console.unexpected_errors() == []


def test_without_javascript_a_busy_poll_says_why_and_a_quiet_one_counts(
    page_without_js, browser, live_server, settings
):
    page = page_without_js
    poll = busy_poll(settings)
    page.goto(poll.get_absolute_url())
    page.get_by_role("link", name="Vote in this poll").first.click()
    ballot = page.locator("#poll-form")
    expect(ballot.locator("noscript")).to_have_count(1)
    assert "This check needs JavaScript" in ballot.inner_html()
    expect(ballot.get_by_text("Tick the box below")).to_be_hidden()
    ballot.get_by_label("Yes", exact=True).check()
    ballot.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("alert")).to_contain_text("needs a short check")
    screenshot(page, "busy-03-nojs-refused", full_page=True)
    assert not Vote.objects.filter(poll=poll).exists()

    # Quiet again: the vote counts, up to the stricter cap of this address (127.0.0.1).
    settings.POLL_BUSY_VOTES_PER_MINUTE = 0
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 1
    ballot.get_by_label("Yes", exact=True).check()
    ballot.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you for voting.")
    assert Vote.objects.filter(poll=poll).count() == 1

    context, second = _new_page(browser, live_server, java_script_enabled=False)
    try:
        second.goto(poll.get_absolute_url())
        second.get_by_role("link", name="Vote in this poll").first.click()
        second.locator("#poll-form").get_by_label("No", exact=True).check()
        second.locator("#poll-form").get_by_role("button", name="Vote").click()
        expect(second.get_by_role("alert")).to_contain_text("needs a short check")
    finally:
        context.close()
    assert Vote.objects.filter(poll=poll).count() == 1


def test_a_rater_with_javascript_solves_the_check_on_a_busy_publication(page, settings):
    report = make_publication(title="A report to rate", authors=[make_person()])
    settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE = 2
    for _ in range(3):
        add_event(f"publication:{report.pk}")
    page.goto(report.get_absolute_url())
    wait_for_widgets(page)
    form = page.locator("#rating-form")
    expect(form.locator("altcha-widget")).to_be_visible()
    form.get_by_label("4 stars").check()
    form.locator("altcha-widget").get_by_text("I'm not a robot").click()
    expect(form.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(r".{40,}"), timeout=30_000
    )
    form.get_by_role("button", name="Rate").click()
    expect(page.get_by_role("status").first).to_contain_text("4 stars")
    publication = Publication.objects.get(pk=report.pk)
    assert (publication.rating_count, publication.rating_sum) == (1, 4)
    assert page.console.unexpected_errors() == []
