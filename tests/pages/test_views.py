"""Pages editors write: served in both languages with hreflang alternates; unpublished
pages answer 404 to readers and show a preview to staff."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogue_portal.pages.models import Page
from tests.factories import make_audience

pytestmark = pytest.mark.django_db


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))


@pytest.fixture
def about(make_page):
    english = make_page(role="about", slug="about", title="About the portal", language="en")
    russian = make_page(
        role="about",
        slug="about",
        title="О портале",
        language="ru",
        translation_of=english,
        body="<p>Русский текст.</p>",
    )
    return english, russian


def test_about_in_each_language_with_hreflang_alternates(client, about, settings):
    english = client.get("/about/").content.decode()
    assert "<h1>About the portal</h1>" in english
    assert alternates(english) == {
        "en": f"{settings.SITE_URL}/about/",
        "ru": f"{settings.SITE_URL}/ru/about/",
        "x-default": f"{settings.SITE_URL}/about/",
    }
    russian = client.get("/ru/about/").content.decode()
    assert "<h1>О портале</h1>" in russian and "Русский текст." in russian
    assert alternates(russian) == alternates(english)


def test_without_a_russian_version_the_russian_interface_shows_the_english_text(client, make_page):
    make_page(role="contact", slug="contact", title="Contact us", contact_email="ed@example.org")
    page = client.get("/ru/contact/").content.decode()
    assert '<article class="page" lang="en">' in page
    assert '<a href="mailto:ed@example.org">ed@example.org</a>' in page
    assert "Эл. почта" in page  # the interface around it is Russian


def test_support_page_shows_the_donation_link_and_takes_no_payment(client, make_page):
    make_page(
        role="support",
        slug="support",
        title="Support our research",
        donation_url="https://example.org/give",
        donation_label="Give",
    )
    page = client.get("/support/").content.decode()
    assert '<a class="button" href="https://example.org/give" rel="noopener external">Give</a>' in (
        page
    )
    assert "<form" not in page.split('<main id="main"')[1].split("</main>")[0]


def test_unpublished_pages_are_404_for_readers_and_a_preview_for_staff(
    client, admin_client, make_page
):
    make_page(role="about", slug="about", title="Draft about", is_published=False)
    assert client.get("/about/").status_code == 404
    assert client.get("/ru/about/").status_code == 404
    preview = admin_client.get("/about/")
    assert preview.status_code == 200
    assert "Preview: this page is not published" in preview.content.decode()


def test_an_unpublished_translation_is_not_offered_to_readers(client, about, settings):
    _english, russian = about
    Page.objects.filter(pk=russian.pk).update(is_published=False)
    page = client.get("/ru/about/").content.decode()
    assert "<h1>About the portal</h1>" in page  # the published English text
    assert alternates(page)["ru"] == f"{settings.SITE_URL}/ru/about/"


def test_other_pages_live_under_their_slug_in_each_language(client, make_page, settings):
    english = make_page(slug="history", title="Our history")
    make_page(slug="istoriya", title="Наша история", language="ru", translation_of=english)
    page = client.get("/pages/history/").content.decode()
    assert alternates(page)["ru"] == f"{settings.SITE_URL}/ru/pages/istoriya/"
    assert "<h1>Наша история</h1>" in client.get("/ru/pages/istoriya/").content.decode()
    assert client.get("/pages/nothing-here/").status_code == 404
    # A site page is not reachable as an other page.
    make_page(role="about", slug="about")
    assert client.get("/pages/about/").status_code == 404


def test_audience_introduction_and_the_fallback_to_its_publications(client, make_page):
    students = make_audience(slug="students", name="Students", name_ru="Студентам")
    make_audience(slug="business", name="Business")
    make_page(role="audience", audience=students, slug="for-students", title="Start here, students")
    page = client.get("/for/students/").content.decode()
    assert "<h1>Start here, students</h1>" in page
    assert 'href="/audiences/students/"' in page
    response = client.get("/for/business/")
    assert (response.status_code, response["Location"]) == (302, "/audiences/business/")
    response = client.get("/ru/for/business/")
    assert response["Location"] == "/ru/audiences/business/"


def test_an_unpublished_introduction_is_a_preview_for_staff_only(client, admin_client, make_page):
    students = make_audience(slug="students", name="Students")
    make_page(role="audience", audience=students, slug="intro", is_published=False)
    assert client.get("/for/students/")["Location"] == "/audiences/students/"
    preview = admin_client.get("/for/students/")
    assert "Preview: this page is not published" in preview.content.decode()


def test_the_footer_links_every_page_in_both_languages(client, make_page):
    make_audience(slug="students", name="Students", name_ru="Студентам")
    home = client.get("/").content.decode()
    for path in ("/about/", "/support/", "/contact/", "/for/students/"):
        assert f'href="{path}"' in home
    russian = client.get("/ru/").content.decode()
    assert '<a href="/ru/support/">Поддержите наши исследования</a>' in russian
    assert '<a href="/ru/about/">О портале</a>' in russian
    assert '<a href="/ru/contact/">Контакты</a>' in russian


def test_pages_answer_get_only(client, about):
    assert client.post("/about/").status_code == 405


def test_anonymous_readers_get_the_cached_page_and_editors_saves_refresh_it(
    client, about, settings
):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get("/about/")["X-Page-Cache"] == "miss"
    assert client.get("/about/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/about/", (2, 1)),
        ("/ru/about/", (2, 1)),
        ("/for/students/", (2, 1)),
        ("/pages/history/", (2, 1)),
    ],
)
def test_queries_per_page_are_fixed(client, make_page, path, expected):
    students = make_audience(slug="students", name="Students")
    for language in ("en", "ru"):
        make_page(role="about", slug="about", language=language)
        make_page(role="audience", audience=students, slug="intro", language=language)
    english = make_page(slug="history")
    make_page(slug="istoriya", language="ru", translation_of=english)
    measured = []
    cache.clear()
    for _ in range(2):  # every cache empty, then warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        measured.append(len(queries))
    assert tuple(measured) == expected
