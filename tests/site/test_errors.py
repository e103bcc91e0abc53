"""Errors show our own pages, never a traceback or a setting.

The module doubles as a URLconf: the site's URLs plus one view that fails.
"""

import pytest
from django.test import override_settings
from django.urls import path

from dialogue_portal.urls import urlpatterns as site_urlpatterns
from tests.factories import make_publication


def explode(request):
    raise RuntimeError("SECRET-DETAIL: the database password is hunter2")


urlpatterns = [path("boom/", explode), *site_urlpatterns]

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_our_500_page_and_no_details(client, caplog):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "SECRET-DETAIL" not in page and "Traceback" not in page and "RuntimeError" not in page
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    # The details go to the log, for us.
    assert any("SECRET-DETAIL" in str(record.exc_info) for record in caplog.records)


def test_a_missing_page_shows_our_404_page_with_the_site_around_it(client):
    for url in ["/no-such-page/", "/publications/no-such-report/", "/ru/no-such-page/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert 'class="site-header"' in page and "<main" in page, url
        assert "Traceback" not in page and "URLconf" not in page


def test_a_draft_is_a_plain_404_not_a_forbidden(client):
    draft = make_publication(status="draft", published_at=None)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert draft.title not in response.content.decode()


def test_method_not_allowed_and_bad_requests_reveal_nothing(client):
    response = client.post("/publications/")
    assert response.status_code == 405
    response = client.get("/publications/?page=" + "9" * 400)
    assert response.status_code == 200
    response = client.get("/publications/?date_from=not-a-date&topic=%00")
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()
