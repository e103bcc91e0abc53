"""Review before publishing and restore, in Chromium: an editor whose admin is in Russian
(their preferred admin language; their browser asks for English) proposes changes to a
published report; a reviewer compares and sends them back with a comment; the editor fixes
them; the reviewer approves; a reader sees the change only then; an older revision is
restored and the old title and author order are back."""

import pytest
import reversion
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from dialogue_portal.staff.models import AdminProfile
from publications.models import Publication
from tests.e2e.conftest import CSP_LISTENER, TIMEOUT_MS, Console, screenshot, sign_in
from tests.factories import make_person, make_publication, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OLD_TITLE = "Managing Security Relations"
NEW_TITLE = "Managing Security Relations in Europe"
SUBTITLE = "Report of the second round"
COMMENT = "Please add the subtitle of the printed report."


def open_as(browser, live_server, locale):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale=locale
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.console = Console()
    page.on("console", page.console.record)
    return context, page


def log_in(page, username, password):
    sign_in(page, username, password)


def csp_violations(page):
    return list(page.console.csp) + page.evaluate("window.__cspViolations || []")


@pytest.fixture
def people(django_user_model, editorial_groups):
    editor = django_user_model.objects.create_user(
        "redaktor", "redaktor@example.org", "pw-redaktor-123!", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    AdminProfile.objects.create(user=editor, admin_language="ru")
    reviewer = django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-reviewer-123!", is_staff=True
    )
    reviewer.groups.add(*Group.objects.filter(name__in=["Editors", "Reviewers"]))
    return editor, reviewer


def test_a_change_waits_for_review_and_an_old_revision_comes_back(browser, live_server, people):
    editor, reviewer = people
    chalmers = make_person(given_name="Malcolm", family_name="Chalmers", slug="malcolm-chalmers")
    kortunov = make_person(given_name="Andrey", family_name="Kortunov", slug="andrey-kortunov")
    report = make_publication(
        title=OLD_TITLE,
        slug="managing-security-relations",
        authors=[chalmers, kortunov],
        topics=[make_topic(name="Arms control")],
    )
    with reversion.create_revision():  # as published through the admin
        reversion.set_user(reviewer)
        reversion.add_to_revision(report)
    change = f"/admin/publications/publication/{report.pk}/change/"
    public = report.get_absolute_url()

    reader_context = browser.new_context(base_url=live_server.url)
    reader = reader_context.request
    editor_context, editor_page = open_as(browser, live_server, "en-GB")
    reviewer_context, reviewer_page = open_as(browser, live_server, "en-GB")

    # The editor, in Russian, edits the published report: new title, authors swapped.
    log_in(editor_page, "redaktor", "pw-redaktor-123!")
    expect(editor_page.locator("html")).to_have_attribute("lang", "ru")
    editor_page.goto(change)
    expect(editor_page.locator(".desk-notice")).to_contain_text("Эта публикация опубликована")
    expect(editor_page.locator("#id_status")).to_have_count(0)  # status is not theirs to set
    editor_page.locator("#id_title").fill(NEW_TITLE)
    editor_page.locator("#id_authorships-0-order").fill("2")
    editor_page.locator("#id_authorships-1-order").fill("1")
    screenshot(editor_page, "desk-01-editor-proposes-ru", full_page=True)
    editor_page.locator("input[name=_continue]").first.click()
    expect(editor_page.locator(".messagelist")).to_contain_text("отправлены рецензентам")
    assert OLD_TITLE in reader.get(public).text() and NEW_TITLE not in reader.get(public).text()
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]

    # The reviewer finds it on the admin home, compares, and sends it back with a comment.
    log_in(reviewer_page, "reviewer", "pw-reviewer-123!")
    expect(reviewer_page.locator("#desk-queue")).to_contain_text(OLD_TITLE)
    screenshot(reviewer_page, "desk-02-reviewer-home")
    reviewer_page.locator("#desk-queue a", has_text=OLD_TITLE).click()
    title_row = reviewer_page.locator(".desk-compare tr.desk-changed", has_text="Title")
    expect(title_row.locator("ins")).to_have_text("in Europe")
    authors_row = reviewer_page.locator(".desk-compare tr", has_text="Authors, in byline order")
    expect(authors_row.locator("td").nth(0).locator("li")).to_have_text(
        ["Malcolm Chalmers", "Andrey Kortunov"]
    )
    expect(authors_row.locator("td").nth(1).locator("li")).to_have_text(
        ["Andrey Kortunov", "Malcolm Chalmers"]
    )
    reviewer_page.get_by_role("button", name="Send back").click()  # no comment: refused
    expect(reviewer_page.locator(".errorlist")).to_contain_text("Say what needs changing.")
    screenshot(reviewer_page, "desk-03-review-needs-comment", full_page=True)
    reviewer_page.get_by_label("Comment").fill(COMMENT)
    reviewer_page.get_by_role("button", name="Send back").click()
    expect(reviewer_page.locator(".messagelist")).to_contain_text("was sent back")

    # The editor reads the comment, adds the subtitle, and submits again.
    editor_page.goto("/admin/")
    expect(editor_page.locator("#desk-queue")).to_contain_text(COMMENT)
    screenshot(editor_page, "desk-04-editor-home-ru")
    editor_page.goto(change)
    expect(editor_page.locator(".desk-sent-back")).to_contain_text(COMMENT)
    expect(editor_page.locator("#id_title")).to_have_value(NEW_TITLE)  # their proposal
    editor_page.locator("#id_subtitle").fill(SUBTITLE)
    editor_page.locator("input[name=_continue]").first.click()
    expect(editor_page.locator(".messagelist")).to_contain_text("отправлены рецензентам")
    assert NEW_TITLE not in reader.get(public).text()

    # The reviewer approves; only now do readers see it.
    reviewer_page.goto("/admin/")
    reviewer_page.locator("#desk-queue a", has_text=OLD_TITLE).click()
    expect(reviewer_page.locator(".desk-compare tr", has_text="Subtitle")).to_contain_text(SUBTITLE)
    screenshot(reviewer_page, "desk-05-review", full_page=True)
    reviewer_page.get_by_role("button", name="Approve and publish").click()
    expect(reviewer_page.locator(".messagelist")).to_contain_text("was approved")
    page_text = reader.get(public).text()
    assert NEW_TITLE in page_text and SUBTITLE in page_text
    assert page_text.index("Kortunov") < page_text.index("Chalmers")

    # History: compare the first revision with the approved one, then restore the first.
    reviewer_page.goto(f"/admin/publications/publication/{report.pk}/history/")
    rows = reviewer_page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    screenshot(reviewer_page, "desk-06-history", full_page=True)
    reviewer_page.get_by_role("button", name="Compare the chosen revisions").click()
    expect(reviewer_page.locator(".desk-compare tr.desk-changed")).to_have_count(3)
    screenshot(reviewer_page, "desk-07-compare", full_page=True)
    reviewer_page.go_back()
    rows.last.get_by_role("link", name="Restore…").click()
    screenshot(reviewer_page, "desk-08-restore", full_page=True)
    reviewer_page.get_by_role("button", name="Restore this revision").click()
    expect(reviewer_page.locator(".messagelist")).to_contain_text("Restored the revision")
    page_text = reader.get(public).text()
    assert OLD_TITLE in page_text and NEW_TITLE not in page_text and SUBTITLE not in page_text
    assert page_text.index("Chalmers") < page_text.index("Kortunov")
    report.refresh_from_db()
    assert report.status == Publication.Status.PUBLISHED
    assert [a.person for a in report.authorships.order_by("order")] == [chalmers, kortunov]

    # The editor's view of the history, in Russian.
    editor_page.goto(f"/admin/publications/publication/{report.pk}/history/")
    expect(editor_page.get_by_role("button", name="Сравнить выбранные версии")).to_be_visible()
    screenshot(editor_page, "desk-09-history-ru", full_page=True)

    violations = csp_violations(editor_page) + csp_violations(reviewer_page)
    # Sending back without a comment answers 400 with the form error, as it should.
    refused = [r"400 \(Bad Request\).*/review/"]
    errors = editor_page.console.unexpected_errors() + reviewer_page.console.unexpected_errors(
        allow=refused
    )
    for context in (editor_context, reviewer_context, reader_context):
        context.close()
    assert not violations, violations
    assert errors == [], errors
