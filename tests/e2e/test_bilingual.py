"""In Chromium: a reader opens a publication in Russian and switches to English, landing
on the English version rather than the same slug."""

import datetime as dt

import pytest

from people.models import Affiliation
from tests.e2e.conftest import screenshot
from tests.factories import make_institution, make_person, make_publication, make_topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def build_pair():
    riac = make_institution(
        slug="riac",
        name="Russian International Affairs Council",
        name_ru="Российский совет по международным делам",
        short_name="RIAC",
        short_name_ru="РСМД",
    )
    kortunov = make_person(
        slug="andrey-kortunov",
        given_name="Andrey",
        family_name="Kortunov",
        given_name_ru="Андрей",
        family_name_ru="Кортунов",
        position="Director General, RIAC",
        position_ru="Генеральный директор РСМД",
    )
    Affiliation.objects.create(person=kortunov, institution=riac, role="Director General")
    topic = make_topic(
        slug="global-strategy",
        name="Global Strategy and Commitments",
        name_ru="Глобальная стратегия и обязательства",
    )
    published = dt.datetime(2018, 3, 27, 9, 0, tzinfo=dt.UTC)
    english = make_publication(
        slug="defining-dialogue-part-2",
        kind="conference-report",
        title="Defining Dialogue: How to Manage Russia–UK Security Relations – Part 2",
        summary="Even with mistrust running high, security relations can still be managed.",
        published_at=published,
        authors=[kortunov],
        topics=[topic],
    )
    make_publication(
        slug="defining-dialogue-part-2-ru",
        kind="conference-report",
        title="Определяя диалог: как управлять отношениями России и Великобритании "
        "в сфере безопасности. Часть 2",
        summary="Несмотря на глубокое недоверие, отношениями в сфере безопасности всё ещё "
        "можно управлять.",
        language="ru",
        translation_of=english,
        published_at=published,
        authors=[kortunov],
        topics=[topic],
    )


def test_reader_reads_in_russian_and_switches_to_the_english_version(page, live_server):
    build_pair()
    page.goto("/ru/publications/defining-dialogue-part-2-ru/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text().startswith("Определяя диалог")
    assert page.locator(".publication__meta time").inner_text() == "27 марта 2018 г."
    assert page.locator(".author__name").first.inner_text() == "Андрей Кортунов"
    assert "Глобальная стратегия и обязательства" in page.locator(".tags").inner_text()
    assert page.locator(".versions").inner_text() == "Другие языковые версии: English"
    screenshot(page, "bilingual-russian-version", full_page=False)

    page.locator(".lang-switch").get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/publications/defining-dialogue-part-2/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Defining Dialogue")
    assert page.locator(".publication__meta time").inner_text() == "27 March 2018"
    assert page.locator(".author__name").first.inner_text() == "Andrey Kortunov"
    screenshot(page, "bilingual-english-version", full_page=False)

    # And back: the switcher on the English version leads to the Russian one.
    page.locator(".lang-switch").get_by_role("link", name="Русский").click()
    page.wait_for_url(f"{live_server.url}/ru/publications/defining-dialogue-part-2-ru/")
    assert page.locator("h1").inner_text().startswith("Определяя диалог")
