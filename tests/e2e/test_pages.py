"""In Chromium: a reader follows the footer to Support our research, switches to Russian and
lands on the Russian page, and no CSP violation occurs on the way."""

import pytest

from dialogue_portal.pages.models import Page
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import axe_violations
from tests.factories import make_audience

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_support_page_from_the_footer_in_both_languages(page):
    english = Page.objects.create(
        role="support",
        slug="support",
        title="Support our research",
        summary="Independent research depends on readers.",
        body="<p>Your gift keeps the work free to read.</p>",
        donation_url="https://example.org/give",
        donation_label="Give to the research fund",
        is_published=True,
    )
    Page.objects.create(
        role="support",
        slug="support",
        language="ru",
        translation_of=english,
        title="Поддержите наши исследования",
        body="<p>Ваш вклад сохраняет нашу работу бесплатной для читателей.</p>",
        donation_url="https://example.org/give",
        donation_label="Поддержать исследовательский фонд",
        is_published=True,
    )
    page.goto("/")
    page.locator(".site-footer").get_by_role("link", name="Support our research").click()
    page.wait_for_url("**/support/")
    assert page.get_by_role("heading", level=1).inner_text() == "Support our research"
    donate = page.get_by_role("link", name="Give to the research fund")
    assert donate.get_attribute("href") == "https://example.org/give"
    screenshot(page, "support-en", full_page=True)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    page.wait_for_url("**/ru/support/")
    assert page.get_by_role("heading", level=1).inner_text() == "Поддержите наши исследования"
    assert page.locator("html").get_attribute("lang") == "ru"
    screenshot(page, "support-ru", full_page=True)


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_pages_pass_axe_at_wcag_22_aa(axe_page, axe_source, prefix):
    students = make_audience(slug="students", name="Students", name_ru="Студентам")
    Page.objects.create(
        role="contact",
        slug="contact",
        title="Contact",
        body="<p>Write to us.</p><h2>Press</h2><p>Ask for an interview.</p>",
        contact_email="editors@example.org",
        contact_phone="+44 20 7946 0321",
        address="12 Example Row\nLondon",
        is_published=True,
    )
    Page.objects.create(
        role="audience",
        audience=students,
        slug="for-students",
        title="For students",
        summary="Where to begin.",
        body="<ul><li>Start with a commentary.</li></ul>",
        is_published=True,
    )
    for path in ("/contact/", "/for/students/"):
        assert axe_page.goto(prefix + path).status == 200
        found = axe_violations(axe_page, axe_source)
        assert found == [], f"{prefix}{path}: {found}"
