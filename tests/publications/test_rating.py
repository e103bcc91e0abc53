"""Ratings: one per reader, changeable, totals stored atomically; bad input writes nothing."""

import re
import secrets
import string
from concurrent.futures import ThreadPoolExecutor
from urllib.request import build_opener

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogue_portal.core import readers
from dialogue_portal.core.pagecache import bump_content_version
from publications.models import Publication, RankingDue, Rating
from publications.services import rate_publication
from tests import hot_updates
from tests.factories import make_publication
from tests.live_readers import post_form, reader_session

pytestmark = pytest.mark.django_db


HTMX = {"HX-Request": "true"}


def rate_url(publication):
    return reverse("publications:rate", kwargs={"slug": publication.slug})


def rating_url(publication):
    return reverse("publications:rating", kwargs={"slug": publication.slug})


def rater(publication, client=None, **client_kwargs):
    """A reader as a browser is one: shown the rating widget (which issues the reader)."""
    client = client or Client(**client_kwargs)
    client.get(rating_url(publication))
    return client


def totals(publication):
    publication.refresh_from_db()
    return publication.rating_count, publication.rating_sum


def test_the_widget_issues_a_signed_reader_cookie_and_a_rating_uses_it(client, settings):
    publication = make_publication()
    cookie = client.get(rating_url(publication)).cookies[settings.READER_COOKIE_NAME]
    response = client.post(rate_url(publication), {"stars": "4"})
    assert response.status_code == 302
    assert response["Location"] == rating_url(publication)
    assert settings.READER_COOKIE_NAME not in response.cookies
    assert totals(publication) == (1, 4)
    assert cookie["httponly"] and cookie["max-age"] == settings.READER_COOKIE_MAX_AGE
    rating = Rating.objects.get()
    assert rating.reader.startswith("anon:")
    token = rating.reader.removeprefix("anon:")
    assert cookie.value != token and cookie.value.startswith(token + ":")  # signed


def test_a_reader_changes_their_rating_the_count_stays(client):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "2"})
    rater(publication, client).post(rate_url(publication), {"stars": "5"})
    assert totals(publication) == (1, 5)
    assert Rating.objects.get().stars == 5
    rater(publication, client).post(
        rate_url(publication), {"stars": "5"}
    )  # the same again: nothing changes
    assert totals(publication) == (1, 5)


def test_two_readers_average(client):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "4"})
    rater(publication).post(rate_url(publication), {"stars": "5"})
    assert totals(publication) == (2, 9)
    page = client.get(publication.get_absolute_url()).content.decode()
    assert "votes: 2, rating: 4.5" in page


def test_no_votes_yet(client):
    publication = make_publication()
    page = client.get(publication.get_absolute_url()).content.decode()
    assert "no votes yet" in page


def test_signed_in_reader_is_their_user(client, reader):
    publication = make_publication()
    client.force_login(reader)
    response = rater(publication, client).post(rate_url(publication), {"stars": "3"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.reader == f"user:{reader.pk}" and rating.user == reader
    assert "dp_reader" not in response.cookies


def test_a_forged_reader_cookie_is_refused(client, settings):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "3"})
    victim = Rating.objects.get().reader.removeprefix("anon:")
    attacker = Client()
    attacker.cookies[settings.READER_COOKIE_NAME] = f"{victim}:forged-signature"
    response = attacker.post(rate_url(publication), {"stars": "1"})
    assert response.status_code == 400
    assert "Your rating was not counted" in response.content.decode()
    assert Rating.objects.count() == 1
    assert Rating.objects.get(reader=f"anon:{victim}").stars == 3


def test_the_reader_cookie_is_signed_with_a_salt(settings):
    token = "a" * readers.TOKEN_LENGTH
    client = Client()
    client.cookies[settings.READER_COOKIE_NAME] = readers.signed_reader_cookie(token)
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "2"})
    assert Rating.objects.get().reader == f"anon:{token}"


def test_htmx_rating_answers_with_the_fragment(client):
    publication = make_publication()
    response = rater(publication, client).post(rate_url(publication), {"stars": "4"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="rating-widget"')
    assert "<html" not in html
    assert "votes: 1, rating: 4" in html
    assert 'id="rating-stars-4" checked' in html
    assert "Thank you" in html
    assert "no-store" in response["Cache-Control"]


def test_no_js_rating_redirects_back_with_a_message(client):
    publication = make_publication()
    response = rater(publication, client).post(rate_url(publication), {"stars": "5"}, follow=True)
    html = response.content.decode()
    assert "Thank you: your rating is 5 stars." in html
    assert "Your rating: 5 stars." in html


def test_the_live_widget_is_private_and_holds_the_form(client):
    publication = make_publication()
    response = client.get(rating_url(publication), headers=HTMX)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'id="rating-form"' in html and "csrfmiddlewaretoken" in html
    for stars, label in enumerate(["1 star", "2 stars", "3 stars", "4 stars", "5 stars"], 1):
        assert f'<label for="rating-stars-{stars}">{label}</label>' in html
        assert f'name="stars" value="{stars}"' in html
    assert re.search(r'<button type="submit"[^>]*>Rate</button>', html)
    # Without htmx it is a whole page the cached publication page links to.
    page = client.get(rating_url(publication))
    assert b"<html" in page.content and b'id="rating-form"' in page.content


def test_the_publication_page_holds_only_the_reader_neutral_widget(client):
    publication = make_publication()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert f'data-hx-get="{rating_url(publication)}"' in html
    assert 'data-hx-trigger="load"' in html
    assert f'href="{rating_url(publication)}"' in html
    assert "csrfmiddlewaretoken" not in html and 'id="rating-form"' not in html


def test_the_rating_fragment_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "4"})
    for _ in range(3):
        rater(publication).post(rate_url(publication), {"stars": "2"})
    with django_assert_num_queries(2):  # the publication, the reader's rating
        response = client.get(rating_url(publication), headers=HTMX)
    assert 'id="rating-stars-4" checked' in response.content.decode()
    with django_assert_num_queries(1):  # a reader who never rated: the publication only
        Client().get(rating_url(publication), headers=HTMX)


@pytest.mark.parametrize("stars", ["0", "6", "3.5", "abc", "", "-1", " ", "٣"])
def test_bad_stars_are_refused_and_write_nothing(client, stars):
    publication = make_publication()
    response = rater(publication, client).post(rate_url(publication), {"stars": stars})
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert not Rating.objects.exists()
    assert totals(publication) == (0, 0)
    assert "dp_reader" not in response.cookies


def test_missing_stars_are_refused(client):
    publication = make_publication()
    response = rater(publication, client).post(rate_url(publication), {}, headers=HTMX)
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert not Rating.objects.exists()


def test_unknown_or_unpublished_publication_is_404(client):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    assert client.post("/publications/no-such-thing/rate/", {"stars": "3"}).status_code == 404
    assert client.post(rate_url(draft), {"stars": "3"}).status_code == 404
    assert client.get(rating_url(draft)).status_code == 404
    assert not Rating.objects.exists()


def test_get_on_the_write_url_is_405(client):
    publication = make_publication()
    assert client.get(rate_url(publication)).status_code == 405
    assert not Rating.objects.exists()


def test_csrf_is_required():
    publication = make_publication()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(rate_url(publication), {"stars": "4"}).status_code == 403
    assert not Rating.objects.exists()
    # With the token from the live widget, it goes through.
    html = strict.get(rating_url(publication)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = strict.post(rate_url(publication), {"stars": "4", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Rating.objects.count() == 1


def test_a_racing_insert_becomes_an_update(client):
    """The IntegrityError path: the row exists when the service inserts, so it updates it."""
    publication = make_publication()
    reader = readers.Reader(key="anon:" + "b" * 32)
    _rating, created = rate_publication(publication=publication, reader=reader, stars=2)
    assert created
    _rating, created = rate_publication(publication=publication, reader=reader, stars=4)
    assert not created
    assert totals(publication) == (1, 4)


def test_two_tabs_of_one_browser_rate_as_one_reader():
    """The reader exists before the first POST: two tabs showing the widget send one cookie."""
    publication = make_publication()
    browser = Client()
    browser.get(rating_url(publication))  # the first tab: the reader is issued
    browser.get(rating_url(publication))  # the second tab: the same reader
    browser.post(rate_url(publication), {"stars": "2"})
    browser.post(rate_url(publication), {"stars": "3"})
    assert Rating.objects.count() == 1
    assert totals(publication) == (1, 3)


def test_a_made_up_csrf_cookie_makes_no_reader():
    """Issue 27: a made-up csrftoken cookie (and a matching form field) per POST used to be
    a new reader each time; without a reader the server issued, nothing is counted."""
    publication = make_publication()
    statuses = set()
    for _ in range(8):
        script = Client(enforce_csrf_checks=True)
        secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        script.cookies["csrftoken"] = secret
        data = {"stars": "1", "csrfmiddlewaretoken": secret}
        statuses.add(script.post(rate_url(publication), data).status_code)
    assert statuses == {400}
    assert totals(publication) == (0, 0) and not Rating.objects.exists()


def test_a_script_fetching_a_fresh_reader_each_time_rates_at_most_the_cap(settings):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 3
    publication = make_publication()
    statuses = [
        rater(publication, REMOTE_ADDR="198.51.100.40")
        .post(rate_url(publication), {"stars": "1"}, headers=HTMX)
        .status_code
        for _ in range(8)
    ]
    assert statuses == [200] * 3 + [429] * 5
    assert totals(publication) == (3, 3)
    script = rater(publication, REMOTE_ADDR="198.51.100.40")
    response = script.post(rate_url(publication), {"stars": "1"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="rating-widget"') and "<html" not in html
    assert "Too many ratings of this publication from your network today" in html
    assert response["Retry-After"].isdigit()
    # The page without JavaScript says it too, as a page.
    page = script.post(rate_url(publication), {"stars": "1"})
    assert page.status_code == 429 and b"<html" in page.content
    # Another address, and another publication, are not held back.
    assert rater(publication).post(rate_url(publication), {"stars": "5"}).status_code == 302
    other = make_publication()
    script = rater(other, REMOTE_ADDR="198.51.100.40")
    assert script.post(rate_url(other), {"stars": "4"}).status_code == 302
    assert totals(publication) == (4, 8) and totals(other) == (1, 4)


def test_a_reader_who_rated_may_change_it_when_the_address_is_full(settings):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 1
    publication = make_publication()
    reader = rater(publication, REMOTE_ADDR="198.51.100.50")
    reader.post(rate_url(publication), {"stars": "2"})
    assert reader.post(rate_url(publication), {"stars": "5"}).status_code == 302
    assert totals(publication) == (1, 5)
    newcomer = rater(publication, REMOTE_ADDR="198.51.100.50")
    assert newcomer.post(rate_url(publication), {"stars": "1"}).status_code == 429
    assert totals(publication) == (1, 5)


def test_a_rating_without_a_reader_shows_the_form_again_with_a_new_reader(client, settings):
    publication = make_publication()
    response = client.post(rate_url(publication), {"stars": "4"}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your rating was not counted" in html and 'id="rating-form"' in html
    assert settings.READER_COOKIE_NAME in response.cookies
    assert not Rating.objects.exists()
    assert client.post(rate_url(publication), {"stars": "4"}).status_code == 302
    assert totals(publication) == (1, 4)


def test_check_counts_finds_and_repairs_rating_totals(capsys):
    publication = make_publication()
    rate_publication(publication=publication, reader=readers.Reader(key="anon:x"), stars=4)
    call_command("check_counts")
    assert "All stored counts match" in capsys.readouterr().out
    Publication.objects.filter(pk=publication.pk).update(rating_count=3, rating_sum=3)
    with pytest.raises(CommandError):
        call_command("check_counts")
    assert f"publication {publication.slug}" in capsys.readouterr().out
    call_command("check_counts", "--repair")
    assert totals(publication) == (1, 4)
    call_command("check_counts")


# PostgreSQL: many readers at once against a live server.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_100_readers_rating_at_once_leave_100_ratings(live_server, settings):
    settings.WRITE_RATE_LIMIT = 10_000
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0  # all from 127.0.0.1
    settings.RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0
    settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE = 0  # no proof-of-work check: a storm of readers
    publication = make_publication()
    url = live_server.url + rate_url(publication)
    sessions = [reader_session(live_server.url + rating_url(publication)) for _ in range(100)]

    def rate(index):
        opener, token = sessions[index]
        return post_form(opener, url, {"stars": str(index % 5 + 1)}, token, live_server.url)

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(rate, range(100)))
    assert 500 not in statuses
    assert statuses.count(200) == 100
    assert Rating.objects.filter(publication=publication).count() == 100
    assert totals(publication) == (100, sum(i % 5 + 1 for i in range(100)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_20_submissions_from_one_reader_leave_one_rating(live_server, settings):
    settings.WRITE_RATE_LIMIT = 10_000
    publication = make_publication()
    url = live_server.url + rate_url(publication)
    opener, token = reader_session(live_server.url + rating_url(publication))

    def rate(index):
        return post_form(opener, url, {"stars": str(index % 5 + 1)}, token, live_server.url)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(rate, range(20)))
    # Each submission holds one of the address's daily slots until it is written: when more
    # of them are in flight at once than the stricter cap (six), the later ones are asked to
    # solve the check (429), as a script sending them would be. None is an error.
    assert 200 in statuses and set(statuses) <= {200, 429}
    rating = Rating.objects.get(publication=publication)
    assert totals(publication) == (1, rating.stars)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_20_submissions_from_one_signed_in_reader_leave_one_rating(live_server, settings, reader):
    settings.WRITE_RATE_LIMIT = 10_000
    publication = make_publication()
    client = Client()
    client.force_login(reader)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    opener = build_opener()
    opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")]
    with opener.open(live_server.url + rating_url(publication), timeout=30) as response:
        html = response.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}")]
    url = live_server.url + rate_url(publication)

    def rate(index):
        return post_form(opener, url, {"stars": str(index % 5 + 1)}, token, live_server.url)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(rate, range(20)))
    assert 500 not in statuses and set(statuses) == {200}
    rating = Rating.objects.get(publication=publication)
    assert rating.reader == f"user:{reader.pk}"
    assert totals(publication) == (1, rating.stars)


def test_a_rating_checks_the_publication_from_the_shared_cache(client):
    publication = make_publication()
    assert rater(publication, client).post(rate_url(publication), {"stars": "4"}).status_code == 302
    other = rater(publication)
    with CaptureQueriesContext(connection) as captured:
        assert other.post(rate_url(publication), {"stars": "2"}).status_code == 302
    looked_up = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in looked_up if '"slug"' in sql]  # no look-up by address
    assert totals(publication) == (2, 6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no savepoint around the statement
def test_a_first_rating_is_one_statement_on_postgresql(client, django_assert_num_queries):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "4"})  # fills the cache
    second = rater(publication)
    with django_assert_num_queries(1):
        assert second.post(rate_url(publication), {"stars": "5"}).status_code == 302
    assert totals(publication) == (2, 9)


def test_unpublishing_stops_ratings_at_once(client):
    publication = make_publication()
    rater(publication, client).post(
        rate_url(publication), {"stars": "4"}
    )  # the publication is in the cache now
    Publication.objects.filter(pk=publication.pk).update(status=Publication.Status.DRAFT)
    bump_content_version()  # what the admin's save does
    assert rater(publication).post(rate_url(publication), {"stars": "3"}).status_code == 404
    assert totals(publication) == (1, 4)


def test_refused_stars_show_the_totals_as_they_are(client):
    publication = make_publication()
    rater(publication, client).post(rate_url(publication), {"stars": "4"})
    rater(publication).post(rate_url(publication), {"stars": "2"})
    response = rater(publication).post(rate_url(publication), {"stars": "9"}, headers=HTMX)
    assert response.status_code == 400
    assert response.context["publication"].rating_count == 2


# The top-rated order reads its own copy of the rating, which flush_counts refreshes.


def titles_by_rating(client):
    html = client.get(reverse("publications:list") + "?sort=rating").content.decode()
    return re.findall(r'class="card__title"[^>]*>\s*<a[^>]*>([^<]+)</a>', html)


def test_ratings_reorder_the_top_rated_list_when_flush_counts_runs(client):
    first = make_publication(title="First", days_ago=1)
    second = make_publication(title="Second", days_ago=2)
    rate_publication(publication=first, reader=readers.Reader(key="anon:a"), stars=2)
    rate_publication(publication=second, reader=readers.Reader(key="anon:b"), stars=5)
    first.refresh_from_db()
    assert (first.ranked_count, first.ranked_average) == (0, 0.0)  # not yet read by the order
    assert titles_by_rating(client)[:2] == ["First", "Second"]  # unrated: newest first

    call_command("flush_counts", verbosity=0)
    bump_content_version()  # a new page of cards (they are shared for a minute)
    assert titles_by_rating(client)[:2] == ["Second", "First"]
    second.refresh_from_db()
    assert (second.ranked_count, second.ranked_average) == (1, 5.0)

    # A changed rating is due too.
    rate_publication(publication=first, reader=readers.Reader(key="anon:a"), stars=5)
    rate_publication(publication=second, reader=readers.Reader(key="anon:b"), stars=1)
    call_command("flush_counts", verbosity=0)
    bump_content_version()
    assert titles_by_rating(client)[:2] == ["First", "Second"]


def top_rated_on_home(client):
    """(title, average) of the home page's top rated list, in order."""
    html = client.get("/").content.decode()
    ranked = html[html.index('<ol class="ranked">') :]
    ranked = ranked[: ranked.index("</ol>")]
    return re.findall(r'<a href="[^"]*">([^<]+)</a> <span class="muted">\(([\d.]+)', ranked)


def test_the_home_pages_top_rated_follow_flush_counts_within_a_minute(client, clock):
    first = make_publication(title="First", days_ago=1)
    second = make_publication(title="Second", days_ago=2)
    for publication, reader, stars in [(first, "anon:a", 5), (second, "anon:b", 2)]:
        rate_publication(publication=publication, reader=readers.Reader(key=reader), stars=stars)
    call_command("flush_counts", verbosity=0)
    assert top_rated_on_home(client) == [("First", "5.0"), ("Second", "2.0")]

    rate_publication(publication=first, reader=readers.Reader(key="anon:c"), stars=1)
    for reader in ("anon:d", "anon:e"):
        rate_publication(publication=second, reader=readers.Reader(key=reader), stars=5)
    call_command("flush_counts", verbosity=0)
    clock.shift(10)
    # Which works, in which order, is shared for a minute; their averages are as they stand.
    assert top_rated_on_home(client) == [("First", "3.0"), ("Second", "4.0")]
    clock.shift(60)
    assert top_rated_on_home(client) == [("Second", "4.0"), ("First", "3.0")]


def test_an_editors_repair_reorders_at_once():
    publication = make_publication()
    rate_publication(publication=publication, reader=readers.Reader(key="anon:x"), stars=4)
    Publication.objects.filter(pk=publication.pk).update(rating_count=3, rating_sum=3)
    call_command("check_counts", "--repair", verbosity=0)
    publication.refresh_from_db()
    assert (publication.ranked_count, publication.ranked_average) == (1, 4.0)


@pytest.mark.postgres
def test_no_index_covers_what_a_rating_writes():
    """What lets PostgreSQL update the row in place (HOT): no index reads rating_count or
    rating_sum, in its columns, expressions or condition."""
    table = Publication._meta.db_table
    assert hot_updates.indexes_reading(table, ["rating_count", "rating_sum"]) == []


@pytest.mark.postgres
def test_a_rating_updates_the_row_in_place_on_postgresql(client):
    publication = make_publication()
    before = hot_updates.updates(Publication._meta.db_table)
    rate_publication(publication=publication, reader=readers.Reader(key="anon:x"), stars=4)
    after = hot_updates.updates(Publication._meta.db_table)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)  # one update, a HOT one
    assert RankingDue.objects.filter(publication=publication).exists()
