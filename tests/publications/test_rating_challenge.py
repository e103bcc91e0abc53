"""The proof-of-work check on ratings: asked of anonymous raters when a publication or an
address is busy, verified on the server and accepted once; without it (no JavaScript) a
rating counts under the stricter cap."""

import json

import altcha
import pytest
from django.test import Client
from django.urls import reverse

from dialogue_portal.core.ratelimit import add_event
from publications.models import Publication, Rating
from tests.factories import make_publication
from tests.polls.test_voting import HTMX
from tests.publications.test_rating import rate_url, rating_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_checks(settings):
    settings.ALTCHA_MAX_NUMBER = 500
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 20
    settings.RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 6
    settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE = 30


def challenge_url(publication):
    return reverse("publications:rating-challenge", kwargs={"slug": publication.slug})


def solved(client, publication):
    response = client.get(challenge_url(publication))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    return altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30)).to_base64()


def totals(publication):
    publication = Publication.objects.get(pk=publication.pk)
    return publication.rating_count, publication.rating_sum


def busy(publication, settings):
    settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE = 2
    for _ in range(3):
        add_event(f"publication:{publication.pk}")


def test_a_busy_publication_asks_for_the_check_and_counts_it_once(settings):
    publication = make_publication()
    busy(publication, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    page = reader.get(rating_url(publication)).content.decode()
    assert "<altcha-widget" in page and challenge_url(publication) in page
    response = reader.post(rate_url(publication), {"stars": 1}, headers=HTMX)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Many ratings are arriving for this publication" in response.content.decode()
    assert totals(publication) == (0, 0)
    payload = solved(reader, publication)
    assert reader.post(rate_url(publication), {"stars": 1, "altcha": payload}).status_code == 302
    assert totals(publication) == (1, 1)
    # The same solution from another reader: refused.
    other = Client(REMOTE_ADDR="198.51.100.6")
    other.get(rating_url(publication))
    response = other.post(rate_url(publication), {"stars": 1, "altcha": payload})
    assert response.status_code == 400
    assert "This check was used already" in response.content.decode()
    assert totals(publication) == (1, 1)
    # A reader changing their stars needs no check.
    assert reader.post(rate_url(publication), {"stars": 3}).status_code == 302
    assert totals(publication) == (1, 3)


def test_junk_or_another_publications_check_is_refused_not_a_500(settings):
    publication, other = make_publication(), make_publication()
    busy(publication, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    reader.get(rating_url(publication))
    for payload in ("%%%", "e30=", solved(reader, other)):
        response = reader.post(rate_url(publication), {"stars": 2, "altcha": payload})
        assert response.status_code == 400
    assert totals(publication) == (0, 0)


def test_without_javascript_an_address_rates_up_to_the_stricter_cap(settings):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 4
    settings.RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 2
    publication = make_publication()
    statuses = []
    for _ in range(3):
        reader = Client(REMOTE_ADDR="203.0.113.50")
        reader.get(rating_url(publication))
        statuses.append(reader.post(rate_url(publication), {"stars": 1}).status_code)
    assert statuses == [302, 302, 429]
    assert totals(publication) == (2, 2)
    # With the check solved, the address goes on to the daily cap, and no further.
    statuses = []
    for _ in range(3):
        reader = Client(REMOTE_ADDR="203.0.113.50")
        assert "<altcha-widget" in reader.get(rating_url(publication)).content.decode()
        data = {"stars": 1, "altcha": solved(reader, publication)}
        statuses.append(reader.post(rate_url(publication), data).status_code)
    assert statuses == [302, 302, 429]
    assert totals(publication) == (4, 4) and Rating.objects.count() == 4


def test_each_refusal_of_a_rating_says_why_with_its_status_and_the_check(settings):
    """The answers a refused anonymous rating gets, as a page and as an htmx fragment."""
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 2
    settings.RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 1
    publication = make_publication()

    def rate(address, headers=None, **data):
        reader = Client(REMOTE_ADDR=address)
        reader.get(rating_url(publication))
        payload = solved(reader, publication) if data.pop("solve", False) else None
        if payload:
            data["altcha"] = payload
        return reader.post(rate_url(publication), {"stars": 3, **data}, headers=headers)

    def said(response):
        return response.status_code, response.get("Retry-After"), response.content.decode()

    assert rate("203.0.113.61").status_code == 302  # the address's one without the check
    status, retry, page = said(rate("203.0.113.61"))
    assert (status, retry) == (429, "60") and "<altcha-widget" in page
    assert "Many ratings of this publication came from your network today" in page
    assert rate("203.0.113.61", solve=True).status_code == 302  # up to the cap of 2
    status, retry, page = said(rate("203.0.113.61", solve=True))
    assert status == 429 and int(retry) > 60
    assert "Too many ratings of this publication from your network today" in page

    busy(publication, settings)
    status, retry, page = said(rate("198.51.100.61", headers=HTMX))
    assert (status, retry) == (429, "60") and "<html" not in page and "<altcha-widget" in page
    assert "Many ratings are arriving for this publication right now" in page
    status, _, page = said(rate("198.51.100.61", altcha="e30="))
    assert status == 400 and "The check did not pass: your rating was not counted" in page
    settings.ALTCHA_EXPIRES_SECONDS = -60
    status, _, page = said(rate("198.51.100.61", solve=True))
    assert status == 400 and "The check expired: your rating was not counted" in page
    assert "<altcha-widget" in page
    assert totals(publication) == (2, 6)
