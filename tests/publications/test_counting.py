import pytest
from django.core.management import call_command

from publications.models import Publication
from tests.factories import make_attachment, make_publication

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"


def views_of(publication):
    return Publication.objects.get(pk=publication.pk).view_count


def test_a_view_counts_once_per_reader_within_30_seconds(client, settings):
    settings.COUNT_FLUSH_EVERY = 1
    publication = make_publication()
    url = publication.get_absolute_url()
    client.get(url, headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.1")
    client.get(url, headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.1")
    assert views_of(publication) == 1
    client.get(url, headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.2")
    assert views_of(publication) == 2


def test_no_cookie_is_set_and_nothing_personal_is_stored(client, settings):
    settings.COUNT_FLUSH_EVERY = 1
    publication = make_publication()
    response = client.get(
        publication.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.9.8.7"
    )
    assert not response.cookies
    assert "X-Counted-Publication" not in response


@pytest.mark.parametrize(
    "agent",
    [
        "Googlebot/2.1",
        "curl/8.0",
        "python-requests/2.32",
        "",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
    ],
)
def test_bots_are_not_counted(client, settings, agent):
    settings.COUNT_FLUSH_EVERY = 1
    publication = make_publication()
    client.get(publication.get_absolute_url(), headers={"User-Agent": agent})
    assert views_of(publication) == 0


def test_counts_gather_in_the_cache_and_flush_in_batches(client, settings):
    settings.COUNT_FLUSH_EVERY = 3
    publication = make_publication()
    for address in ["10.0.0.1", "10.0.0.2"]:
        client.get(
            publication.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR=address
        )
    assert views_of(publication) == 0
    client.get(
        publication.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.3"
    )
    assert views_of(publication) == 3
    client.get(
        publication.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.4"
    )
    call_command("flush_counts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert views_of(publication) == 4


def test_downloads_are_counted_and_feed_most_read(client, settings):
    settings.COUNT_FLUSH_EVERY = 1
    publication = make_publication(title="Most read one")
    attachment = make_attachment(publication)
    client.get(attachment.get_absolute_url(), headers={"User-Agent": BROWSER})
    client.get(attachment.get_absolute_url(), headers={"User-Agent": BROWSER})
    publication.refresh_from_db()
    attachment.refresh_from_db()
    assert (publication.download_count, attachment.download_count) == (1, 1)
    client.get(publication.get_absolute_url(), headers={"User-Agent": BROWSER})
    html = client.get("/").content.decode()
    assert "Most read one" in html.split('id="most-read-heading"')[1]


def test_staff_previews_are_not_counted(editor_client, settings):
    settings.COUNT_FLUSH_EVERY = 1
    publication = make_publication()
    editor_client.get(publication.get_absolute_url(), headers={"User-Agent": BROWSER})
    assert views_of(publication) == 0


def test_a_repeat_view_of_a_cached_page_is_known_in_the_pages_own_round_trip(
    client, settings, monkeypatch
):
    """The page cache reads whether the reader was seen in the round trip that reads the
    page: a repeat costs no second one, a new reader is still counted, and the Russian
    interface's address of the same publication is the same view."""
    from django.core.cache import cache

    settings.COUNT_FLUSH_EVERY = 1
    settings.PAGE_CACHE_SECONDS = 60
    publication = make_publication()
    url = publication.get_absolute_url()
    reader = {"headers": {"User-Agent": BROWSER}, "REMOTE_ADDR": "10.0.0.5"}
    client.get(url, **reader)
    added = []
    add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda *args, **kwargs: added.append(args) or add(*args, **kwargs)
    )
    assert client.get(url, **reader)["X-Page-Cache"] == "hit"
    client.get("/ru" + url, **reader)
    assert added == [] and views_of(publication) == 1
    client.get(url, headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.6")
    assert views_of(publication) == 2
