"""In Chromium: the home page and the list show a work in two languages once, in the
interface language, and its badge opens the other version with the interface in that
version's language."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, wait_for_widgets
from tests.e2e.test_bilingual import build_pair
from tests.factories import make_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ENGLISH = "Defining Dialogue: How to Manage Russia–UK Security Relations – Part 2"
RUSSIAN = "Определяя диалог: как управлять отношениями России и Великобритании в сфере безопасности"


@pytest.mark.parametrize(
    ("prefix", "shown", "hidden", "badge", "lands_on"),
    [
        ("", ENGLISH, RUSSIAN, "Also in Russian", "/ru/publications/defining-dialogue-part-2-ru/"),
        ("/ru", RUSSIAN, ENGLISH, "Есть на английском", "/publications/defining-dialogue-part-2/"),
    ],
)
def test_home_and_list_show_the_work_once_with_a_badge_to_its_other_version(
    page, prefix, shown, hidden, badge, lands_on
):
    build_pair()
    make_publication(slug="english-only", title="Arctic Security after 2022", days_ago=2)
    language = "ru" if prefix else "en"
    for name, path in (("home", "/"), ("list", "/publications/")):
        page.goto(prefix + path)
        wait_for_widgets(page)
        main = page.locator("main")
        expect(main.locator(".card__title", has_text=shown)).to_have_count(1)
        expect(main.locator(".card__title", has_text=hidden)).to_have_count(0)
        expect(main.locator(".card__title", has_text="Arctic Security after 2022")).to_have_count(1)
        expect(main.locator(".version-badge")).to_have_count(1)
        screenshot(page, f"one-per-work-{name}-{language}", full_page=True)
    if language == "en":
        expect(page.locator(".results__note")).to_have_text(
            "Each work is listed once, in your language where available."
        )
    page.locator(".version-badge", has_text=badge).click()
    expect(page).to_have_url(re.compile(re.escape(lands_on) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "en" if prefix else "ru")
