"""The bilingual interface: English at /..., Russian at /ru/..., a switcher on every page,
names that fall back to the other language, Russian plural forms and dates."""

import datetime as dt
import re

import pytest
from django.conf import settings

from people.models import Affiliation
from polls.models import Poll
from publications.models import Publication
from tests.factories import (
    make_audience,
    make_institution,
    make_person,
    make_poll,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db


def switcher(html):
    nav = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S).group(0)
    return {code: href for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav)}


def hreflang(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


@pytest.fixture
def site_content():
    """One of everything a reader can open."""
    institution = make_institution(slug="riac", name="Russian International Affairs Council")
    person = make_person(slug="andrey-kortunov", given_name="Andrey", family_name="Kortunov")
    Affiliation.objects.create(person=person, institution=institution, role="Director General")
    topic = make_topic(
        slug="arms-control", name="Arms Control", name_ru="Контроль над вооружениями"
    )
    region = make_region(slug="russia", name="Russia", name_ru="Россия")
    audience = make_audience(slug="students", name="Students", name_ru="Студентам")
    project = make_project(slug="dialogue", name="UK–Russia Security Dialogue")
    programme = make_programme(slug="iss", name="International Security Studies")
    publication = make_publication(
        slug="talking-to-not-past-each-other",
        title="Talking To, Not Past Each Other",
        authors=[person],
        topics=[topic],
        regions=[region],
        project=project,
        project_part=3,
        programme=programme,
    )
    publication.audiences.set([audience])
    poll = make_poll(
        slug="us-goals", question="What are the US goals?", question_ru="Каковы цели США?"
    )
    return {
        "home": "/",
        "publications": "/publications/",
        "publication": publication.get_absolute_url(),
        "people": "/people/",
        "person": person.get_absolute_url(),
        "institution": institution.get_absolute_url(),
        "browse": "/topics/",
        "topic": topic.get_absolute_url(),
        "region": region.get_absolute_url(),
        "project": project.get_absolute_url(),
        "programme": "/programmes/iss/",
        "audience": "/audiences/students/",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
        "search": "/search/?q=talking",
    }


@pytest.mark.slow
def test_every_public_page_answers_in_russian_under_ru(client, site_content):
    for name, url in site_content.items():
        english = client.get(url)
        assert english.status_code == 200, name
        assert '<html lang="en">' in english.content.decode(), name
        russian = client.get("/ru" + url)
        assert russian.status_code == 200, name
        html = russian.content.decode()
        assert '<html lang="ru">' in html, name
        assert ">Публикации</a>" in html, name  # the main navigation, translated
        assert switcher(html)["en"] == url, name


def test_unsupported_or_default_language_prefix_is_not_found(client, site_content):
    assert client.get("/xx/publications/").status_code == 404
    assert client.get("/de/").status_code == 404
    assert client.get("/xx" + site_content["publication"]).status_code == 404
    # English lives at /..., so /en/... is no second address for the same page.
    assert client.get("/en/publications/").status_code == 404


def test_not_found_page_speaks_the_readers_language(client):
    response = client.get("/ru/nowhere/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Страница не найдена" in html


def test_switcher_on_the_list_keeps_the_query_string(client):
    html = client.get("/publications/?q=dialogue&kind=report").content.decode()
    assert switcher(html) == {"ru": "/ru/publications/?q=dialogue&amp;kind=report"}
    html = client.get("/ru/publications/?q=dialogue&kind=report").content.decode()
    assert switcher(html) == {"en": "/publications/?q=dialogue&amp;kind=report"}


def test_switcher_on_the_home_page(client):
    assert switcher(client.get("/").content.decode()) == {"ru": "/ru/"}
    assert switcher(client.get("/ru/").content.decode()) == {"en": "/"}


def test_hreflang_alternates_with_x_default_on_every_page(client):
    site = settings.SITE_URL
    expected = {
        "en": f"{site}/publications/",
        "ru": f"{site}/ru/publications/",
        "x-default": f"{site}/publications/",
    }
    # The query string stays out of hreflang, as it stays out of the canonical link.
    for url in ("/publications/?kind=report", "/ru/publications/?kind=report"):
        assert hreflang(client.get(url).content.decode()) == expected, url


def test_term_without_a_russian_name_shows_its_english_name(client):
    topic = make_topic(slug="cyber", name="Cyber Security", name_ru="")
    make_publication(slug="on-cyber", topics=[topic])
    topic_page = client.get("/ru/topics/cyber/").content.decode()
    assert "<h1>Cyber Security</h1>" in topic_page
    publication_page = client.get("/ru/publications/on-cyber/").content.decode()
    assert ">Cyber Security</a>" in publication_page


def test_term_with_a_russian_name_shows_it_under_ru_only(client):
    make_topic(slug="arms-control", name="Arms Control", name_ru="Контроль над вооружениями")
    make_publication(topics=[make_topic(slug="unused")])
    assert (
        "<h1>Контроль над вооружениями</h1>"
        in client.get("/ru/topics/arms-control/").content.decode()
    )
    assert "<h1>Arms Control</h1>" in client.get("/topics/arms-control/").content.decode()


def test_person_with_only_a_russian_position_shows_it_on_english_pages(client):
    person = make_person(
        slug="maria-smekalova",
        given_name="Maria",
        family_name="Smekalova",
        given_name_ru="Мария",
        family_name_ru="Смекалова",
        position="",
        position_ru="Координатор программ по кибербезопасности",
    )
    make_publication(slug="cyber-report", authors=[person])
    profile = client.get("/people/maria-smekalova/").content.decode()
    assert "<h1>Maria Smekalova</h1>" in profile
    assert "Координатор программ по кибербезопасности" in profile
    publication = client.get("/publications/cyber-report/").content.decode()
    assert "Координатор программ по кибербезопасности" in publication
    russian_profile = client.get("/ru/people/maria-smekalova/").content.decode()
    assert "<h1>Мария Смекалова</h1>" in russian_profile


@pytest.mark.slow
def test_russian_plural_forms_of_the_result_count(client):
    for kind, count in (("article", 1), ("commentary", 2), ("report", 5)):
        for _ in range(count):
            make_publication(kind=kind)
    expected = {
        "?kind=article": "1 публикация",
        "?kind=commentary": "2 публикации",
        "?kind=report": "5 публикаций",
        "": "8 публикаций",
        "?kind=article&kind=commentary": "3 публикации",
    }
    for query, text in expected.items():
        html = client.get(f"/ru/publications/{query}").content.decode()
        count = re.search(r'class="results__count">([^<]+)<', html).group(1)
        assert count == text, query
    html = client.get("/publications/?kind=article").content.decode()
    assert re.search(r'class="results__count">1 publication<', html)


def test_russian_plural_forms_of_the_poll_archive_vote_count(client):
    for votes in (1, 2, 5, 21, 22, 11):
        poll = make_poll(question=f"Question with {votes} votes?")
        Poll.objects.filter(pk=poll.pk).update(total_votes=votes)
    html = client.get("/ru/polls/").content.decode()
    counts = set(re.findall(r"· (\d+ голос\w*)", html))
    assert {"1 голос", "2 голоса", "5 голосов", "21 голос", "22 голоса", "11 голосов"} <= counts


def test_rating_summary_in_russian(client):
    publication = make_publication(slug="rated")
    Publication.objects.filter(pk=publication.pk).update(rating_count=11, rating_sum=55)
    assert "votes: 11, rating: 5" in client.get("/publications/rated/").content.decode()
    assert "11 голосов, рейтинг: 5" in client.get("/ru/publications/rated/").content.decode()


def test_dates_in_the_readers_language_on_a_publication_page(client):
    make_publication(
        slug="dated", published_at=dt.datetime(2019, 7, 8, 9, 0, tzinfo=dt.UTC), title="Dated"
    )
    assert ">8 July 2019</time>" in client.get("/publications/dated/").content.decode()
    assert ">8 июля 2019 г.</time>" in client.get("/ru/publications/dated/").content.decode()


def test_russian_feed_links_to_the_russian_list(client):
    make_publication(title="In the feed")
    feed = client.get("/ru/feeds/latest.rss").content.decode()
    assert f"<link>{settings.SITE_URL}/ru/publications/</link>" in feed
    assert "Dialogue Portal: новые публикации" in feed
