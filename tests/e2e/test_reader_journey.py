"""A reader's visit in Chromium, start to finish: home, filter, read, download, rate, vote,
share, print, cite and meet the author. Every step under the site's strict CSP."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from polls.models import Poll
from tests.e2e.conftest import screenshot
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_publication,
    make_topic,
    png_upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Share buttons lead off-site; the test answers for those sites instead of the network.
OFF_SITE = re.compile(r"^https?://(?!127\.0\.0\.1|localhost)")


def build_site():
    rusi = make_institution(slug="rusi", name="Royal United Services Institute", short_name="RUSI")
    chalmers = make_person(
        institution=rusi,
        slug="malcolm-chalmers",
        given_name="Malcolm",
        family_name="Chalmers",
        position="Deputy Director-General, RUSI",
    )
    lain = make_person(
        institution=rusi,
        slug="sarah-lain",
        given_name="Sarah",
        family_name="Lain",
        position="Associate Fellow",
    )
    arms, cyber = (
        make_topic(name="Arms Control", slug="arms-control"),
        make_topic(name="Cyber Security", slug="cyber"),
    )
    report = make_publication(
        slug="managing-security-relations",
        title="Managing Russia–UK Security Relations",
        summary="Even with mistrust running high, security relations can still be managed.",
        body="<p>The dialogue brought together experts from both countries.</p>",
        authors=[chalmers, lain],
        topics=[arms],
        banner_image=png_upload(size=(1200, 500)),
        banner_alt="Aircraft trails over a dusk sky",
        banner_caption="Flight paths over the North Sea.",
        banner_credit="Courtesy of the Royal Air Force",
        days_ago=2,
    )
    make_attachment(report, title="Full report")
    make_publication(
        slug="cyber-norms", title="Cyber Norms After 2020", authors=[lain], topics=[cyber]
    )
    poll = make_poll(
        question="Will the dialogue continue next year?",
        answers=("Yes", "No", "Too early to say"),
        placement=Poll.Placement.EVERYWHERE,
    )
    return report, poll


def test_a_reader_finds_reads_rates_votes_shares_prints_and_cites(page, live_server, settings):
    # Share links name the site's own address (SITE_URL), which here is the live server's.
    settings.SITE_URL = live_server.url
    report, _poll = build_site()
    page.context.route(OFF_SITE, lambda route: route.fulfill(status=200, body="shared"))

    page.goto("/")
    expect(page.get_by_role("link", name=report.title).first).to_be_visible()
    screenshot(page, "reader-01-home", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Publications").click()
    expect(page).to_have_url(re.compile(r"/publications/$"))
    expect(page.locator("#results-count")).to_have_text("2 publications")
    page.evaluate("window.__sameDocument = true")

    # Filter in place: htmx swaps the results and pushes the URL, no full reload.
    page.get_by_role("checkbox", name=re.compile("Arms Control")).check()
    expect(page.locator("#results-count")).to_have_text("1 publication")
    expect(page).to_have_url(re.compile(r"/publications/\?.*topic=arms-control"))
    assert page.evaluate("window.__sameDocument === true"), "the filter reloaded the page"
    expect(page.get_by_role("link", name="Cyber Norms After 2020")).to_have_count(0)
    screenshot(page, "reader-02-filtered-list", full_page=True)

    page.locator("#results").get_by_role("link", name=report.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    expect(page.locator(".banner img")).to_have_js_property("complete", True)
    assert page.locator(".banner img").evaluate("img => img.naturalWidth") == 1200
    screenshot(page, "reader-03-detail", full_page=True)

    # The PDF: served as a PDF, never sniffed.
    href = page.get_by_role("link", name="Full report").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-content-type-options"] == "nosniff"
    assert pdf.body().startswith(b"%PDF-")

    # Rate: the live widget replaces the cached summary once the page has loaded.
    rating = page.locator("#rating-form")
    rating.get_by_label("4 stars").check()
    rating.get_by_role("button", name="Rate").click()
    expect(page.locator("#rating-widget")).to_contain_text("votes: 1")
    expect(page.locator("#rating-widget")).to_contain_text("Your rating: 4 stars")

    # Vote in the poll in the side column.
    ballot = page.locator("#poll-form")
    ballot.get_by_label("Too early to say").check()
    ballot.get_by_role("button", name="Vote").click()
    results = page.locator(".poll-results")
    expect(results).to_be_visible()
    expect(results).to_contain_text("Too early to say")
    expect(results).to_contain_text("100%")
    screenshot(page, "reader-04-rated-and-voted", full_page=True)

    # Share: every link carries this page's address, encoded; one opens in a new window.
    page_url = live_server.url + report.get_absolute_url()
    links = page.locator(".share__link")
    assert links.count() >= 5
    for index in range(links.count()):
        link_href = links.nth(index).get_attribute("href")
        assert quote(page_url, safe="") in link_href or quote(page_url) in link_href, link_href
    with page.context.expect_page() as popup_info:
        page.locator(".share__link--x").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.startswith("https://x.com/intent/post?")
    assert quote(page_url, safe="") in popup.url
    popup.close()

    # Print: the publication, its authors and its address; no navigation or share buttons.
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator("#share")).to_be_hidden()
    expect(page.locator("#rating-widget")).to_be_hidden()
    expect(page.locator(".publication .authors")).to_be_visible()
    expect(page.locator(".publication .authors")).to_contain_text("Malcolm Chalmers")
    expect(page.locator(".print-details")).to_be_visible()
    expect(page.locator(".print-details")).to_contain_text(report.get_absolute_url())
    screenshot(page, "reader-05-print", full_page=True)
    page.emulate_media(media="screen")

    # BibTeX: a download, with the title and both authors in byline order.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX").click()
    download = download_info.value
    assert download.suggested_filename == "managing-security-relations.bib"
    bibtex = open(download.path(), encoding="utf-8").read()  # noqa: SIM115, PTH123
    assert bibtex.startswith("@techreport{")
    assert "Managing Russia–UK Security Relations" in bibtex
    assert bibtex.index("Chalmers") < bibtex.index("Lain")

    # And on to the first author's page.
    page.locator(".publication__header .authors").get_by_role(
        "link", name="Malcolm Chalmers"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Malcolm Chalmers")
    expect(page.get_by_role("link", name=report.title).first).to_be_visible()
    screenshot(page, "reader-06-author", full_page=True)

    assert page.console.unexpected_errors() == []


def test_keyboard_only_reader_filters_rates_and_votes(page):
    report, _poll = build_site()
    page.goto("/publications/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    def tab_to(locator, limit=60):
        for _ in range(limit):
            if locator.evaluate("el => el === document.activeElement"):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {locator}")

    # A checkbox toggled with Space filters in place.
    arms = page.get_by_role("checkbox", name=re.compile("Arms Control"))
    tab_to(arms)
    page.keyboard.press("Space")
    expect(arms).to_be_checked()
    expect(page.locator("#results-count")).to_have_text("1 publication")
    # The facet counts were swapped too, and the keyboard stays where it was.
    expect(page.locator("#facets")).to_contain_text("Report (1)")
    expect(arms).to_be_focused()

    # The search box submits with Enter.
    search = page.get_by_role("searchbox", name="Search publications")
    search.focus()
    page.keyboard.type("Cyber")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=Cyber"))
    expect(page.locator("#results-count")).to_have_text("0 publications")

    # Rating and voting with the keyboard alone.
    page.goto(report.get_absolute_url())
    first_star = page.locator("#rating-form").get_by_label("1 star")
    tab_to(first_star)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#rating-form").get_by_label("5 stars")).to_be_checked()
    tab_to(page.locator("#rating-form").get_by_role("button", name="Rate"))
    page.keyboard.press("Enter")
    expect(page.locator("#rating-widget")).to_contain_text("Your rating: 5 stars")

    first_choice = page.locator("#poll-form").get_by_role("radio").first
    tab_to(first_choice)
    page.keyboard.press("Space")
    expect(first_choice).to_be_checked()
    tab_to(page.locator("#poll-form").get_by_role("button", name="Vote"))
    page.keyboard.press("Enter")
    expect(page.locator(".poll-results")).to_be_visible()
    screenshot(page, "keyboard-01-voted")
    assert page.console.unexpected_errors() == []
