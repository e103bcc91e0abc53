"""The site's chrome rendered once per process ({% memo %}) and the publication page's
fragments read together (pagecache.Fragments): what they show still follows the page,
the language and editors' changes."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dialogue_portal.core.pagecache import bump_content_version
from tests.factories import make_audience, make_publication

pytestmark = pytest.mark.django_db


def nav_link(html, label):
    start = html.index(f">{label}</a>")
    return html[html.rindex("<a ", 0, start) : start]


def test_the_current_section_is_marked_on_each_page(client):
    publications = client.get(reverse("publications:list")).content.decode()
    polls = client.get(reverse("polls:list")).content.decode()
    assert 'aria-current="page"' in nav_link(publications, "Publications")
    assert 'aria-current="page"' not in nav_link(publications, "Polls")
    assert 'aria-current="page"' in nav_link(polls, "Polls")
    assert 'aria-current="page"' not in nav_link(polls, "Publications")


def test_the_chrome_speaks_the_pages_language(client):
    assert ">Publications</a>" in client.get("/").content.decode()
    russian = client.get("/ru/").content.decode()
    assert ">Публикации</a>" in russian and ">Publications</a>" not in russian


def test_the_footer_follows_editors_changes(client):
    client.get("/")  # the footer is now held
    make_audience(name="Journalists", slug="journalists")
    bump_content_version()  # as every admin save does
    assert reverse("pages:audience", args=["journalists"]) in client.get("/").content.decode()


def test_the_newsletter_form_names_the_page_it_was_sent_from(client):
    home = client.get("/").content.decode()
    polls = client.get(reverse("polls:list")).content.decode()
    assert 'name="source" value="/"' in home
    assert f'name="source" value="{reverse("polls:list")}"' in polls


def test_the_search_box_keeps_each_readers_query(client):
    first = client.get(reverse("search"), {"q": "arms"}).content.decode()
    second = client.get(reverse("search"), {"q": "energy"}).content.decode()
    assert 'name="q" placeholder="Search" value="arms"' in first
    assert 'name="q" placeholder="Search" value="energy"' in second


def test_a_publication_page_reads_its_fragments_in_one_round_trip(client, monkeypatch):
    publication = make_publication(title="Deterrence after the treaties")
    client.get(publication.get_absolute_url())  # renders and keeps the fragments
    asked = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(keys) or get_many(keys))
    html = client.get(publication.get_absolute_url()).content.decode()
    fragment_reads = [keys for keys in asked if any("fragment:detail:" in k for k in keys)]
    assert len(fragment_reads) == 1 and len(fragment_reads[0]) == 5
    assert html.count("Deterrence after the treaties") >= 3  # title, head, body


def test_a_publication_page_shows_an_edit_at_once(client):
    publication = make_publication(title="Before the edit")
    client.get(publication.get_absolute_url())
    publication.title = "After the edit"
    publication.save()
    bump_content_version()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert "Before the edit" not in html
    assert '<meta name="citation_title" content="After the edit' in html


def test_search_results_are_shared_until_editors_change_content(client):
    make_publication(title="Deterrence in the Baltic")
    url = reverse("search") + "?q=deterrence"
    assert "Deterrence in the Baltic" in client.get(url).content.decode()
    make_publication(title="Deterrence and arms control")
    # Not yet: another reader's search of the same words is answered from the cache...
    assert "Deterrence and arms control" not in client.get(url).content.decode()
    bump_content_version()  # ...until an editor's save, which the admin signals
    assert "Deterrence and arms control" in client.get(url).content.decode()


def test_a_lists_cards_follow_editors_changes_and_each_page_has_its_own(client):
    for n in range(25):
        make_publication(title=f"Paper {n:02d}", days_ago=n + 1)
    first = client.get(reverse("publications:list")).content.decode()
    second = client.get(reverse("publications:list") + "?page=2").content.decode()
    assert "Paper 00" in first and "Paper 00" not in second and "Paper 24" in second
    make_publication(title="Newest paper", days_ago=0)
    bump_content_version()
    assert "Newest paper" in client.get(reverse("publications:list")).content.decode()


def test_the_home_page_shows_an_edit_at_once_and_a_new_reading_within_a_minute(client):
    make_publication(title="Yesterday's report")
    assert "Yesterday&#x27;s report" in client.get("/").content.decode()
    make_publication(title="Today's report", days_ago=0)
    bump_content_version()
    assert "Today&#x27;s report" in client.get("/").content.decode()
