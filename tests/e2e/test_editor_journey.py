"""An editor's day in Chromium: log in, write a report with two authors, a banner and a PDF,
keep it as a draft, publish it, schedule another, unpublish. Every step under the CSP, the
admin and its rich-text editor included; the public side is checked from a second,
anonymous browser context."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publications.demo_files import banner_png, simple_pdf
from publications.models import Publication
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_person
from tests.sitemaps import page_holding

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Managing Security Relations in Europe"
SLUG = "managing-security-relations-in-europe"


@pytest.fixture
def anonymous(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    yield context.request
    context.close()


@pytest.fixture
def files(tmp_path):
    banner = tmp_path / "dusk-banner.png"
    banner.write_bytes(banner_png(size=(800, 350)))
    pdf = tmp_path / "full-report.pdf"
    pdf.write_bytes(simple_pdf("Managing Security Relations", ["The full report."]))
    return banner, pdf


def choose_author(page, row, family_name):
    """Pick a person in the inline's autocomplete (select2) by typing part of the name."""
    page.locator(f"#authorships-{row} .field-person .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(family_name)
    page.locator(".select2-results__option", has_text=family_name).click()


def test_an_editor_drafts_publishes_schedules_and_unpublishes(
    page, anonymous, django_user_model, files
):
    django_user_model.objects.create_superuser("editor-in-chief", "e@example.org", "pw-e2e-123!")
    make_person(given_name="Malcolm", family_name="Chalmers", slug="malcolm-chalmers")
    make_person(given_name="Andrey", family_name="Kortunov", slug="andrey-kortunov")
    banner, pdf = files

    sign_in(page, "editor-in-chief", "pw-e2e-123!")
    expect(page.get_by_role("heading", name="Publish and manage content")).to_be_visible()

    page.goto("/admin/publications/publication/add/")
    page.get_by_label("Kind").select_option("report")
    page.locator("#id_title").press_sequentially(TITLE)
    expect(page.get_by_label("Slug")).to_have_value(SLUG)  # prefilled as the editor types
    page.get_by_label("Summary").fill("What two days of talks in London found.")
    editor = page.locator(".prose-editor [contenteditable=true]")
    editor.click()
    page.keyboard.type("The dialogue brought together experts from both countries.")
    page.keyboard.press("Enter")
    page.keyboard.type("A second paragraph.")

    # Two authors, Kortunov first on the byline although he is added second.
    add_author = page.locator("#authorships-group .add-row a")
    add_author.click()
    choose_author(page, 0, "Chalmers")
    page.locator("#id_authorships-0-order").fill("2")
    add_author.click()
    choose_author(page, 1, "Kortunov")
    page.locator("#id_authorships-1-order").fill("1")

    page.locator("#id_banner_image").set_input_files(str(banner))
    page.get_by_label("Banner alt text").fill("Aircraft trails over a dusk sky")
    page.locator("#attachments-group .add-row a").click()
    page.locator("#id_attachments-0-file").set_input_files(str(pdf))
    page.locator("#id_attachments-0-title").fill("Full report")
    page.get_by_label("Status").select_option("draft")
    screenshot(page, "editor-01-add-form", full_page=True)
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    screenshot(page, "editor-02-saved-draft")

    publication = Publication.objects.get(slug=SLUG)
    assert [a.person.family_name for a in publication.authors] == ["Kortunov", "Chalmers"]
    assert "<p>The dialogue brought together experts" in publication.body
    assert publication.banner_image.name.startswith("images/")
    assert publication.attachments.get().file.name.endswith(".pdf")
    public_url = publication.get_absolute_url()
    assert anonymous.get(public_url).status == 404

    # Publish: the publish date fills itself in, and the public sees it everywhere.
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert anonymous.get(public_url).status == 200
    assert TITLE in anonymous.get("/publications/").text()
    assert TITLE in anonymous.get("/feeds/latest.rss").text()
    assert "/sitemap-publications.xml" in anonymous.get("/sitemap.xml").text()
    assert public_url in anonymous.get(page_holding("publications", publication.pk)).text()
    page.goto(public_url)  # the editor looks at it as readers will
    expect(page.locator(".publication .authors .author__name")).to_have_text(
        ["Andrey Kortunov", "Malcolm Chalmers"]
    )
    expect(page.locator(".banner img")).to_have_js_property("complete", True)
    # The 800-pixel upload and its 480-pixel WebP copy, made on save; the browser picks one.
    banner = page.locator(".banner img")
    assert banner.evaluate("img => img.naturalWidth") > 0
    assert "-480w.webp 480w" in banner.get_attribute("srcset")
    assert banner.get_attribute("srcset").endswith(" 800w")
    screenshot(page, "editor-03-published", full_page=True)

    # Schedule a second one for tomorrow: saved, published, and still invisible.
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    page.goto("/admin/publications/publication/add/")
    page.locator("#id_title").fill("Scheduled Briefing")
    page.get_by_label("Summary").fill("Out tomorrow.")
    page.get_by_label("Status").select_option("published")
    page.locator("#id_published_at_0").fill(tomorrow.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(tomorrow.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    scheduled = Publication.objects.get(slug="scheduled-briefing")
    assert scheduled.is_scheduled
    assert anonymous.get(scheduled.get_absolute_url()).status == 404
    assert "Scheduled Briefing" not in anonymous.get("/publications/").text()
    assert "Scheduled Briefing" not in anonymous.get("/feeds/latest.rss").text()

    # Unpublish the first with the list's action.
    page.goto("/admin/publications/publication/")
    page.locator(f'input[name="_selected_action"][value="{publication.pk}"]').check()
    page.locator('select[name="action"]').select_option("unpublish")
    page.locator('.actions button[name="index"]').click()
    expect(page.locator(".messagelist")).to_contain_text("1 publication unpublished")
    screenshot(page, "editor-04-unpublished")
    assert anonymous.get(public_url).status == 404
    assert TITLE not in anonymous.get("/publications/").text()
    assert TITLE not in anonymous.get("/feeds/latest.rss").text()
    assert page.console.unexpected_errors() == []
