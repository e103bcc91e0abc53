"""Every page type answers with the security headers production needs.

Settings are read from the environment at import, so the production values are checked
twice: once in a subprocess with DEBUG=0 (what settings.py really gives production), and
per request here with those values applied through override_settings (SecurityMiddleware
and the cookie code read settings on each request).
"""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
)
from tests.site.test_settings import GOOD_KEY, settings_under

pytestmark = pytest.mark.django_db

ONE_YEAR = 31_536_000
PRODUCTION = {
    "SECURE_HSTS_SECONDS": ONE_YEAR,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.fixture
def site():
    institution = make_institution(slug="rusi")
    author = make_person(institution=institution, slug="author")
    topic, region, project = make_topic(), make_region(), make_project()
    publication = make_publication(
        authors=[author], topics=[topic], regions=[region], project=project, project_part=1
    )
    attachment = make_attachment(publication)
    poll = make_poll()
    return {
        "home": "/",
        "list": "/publications/",
        "list filtered": f"/publications/?topic={topic.slug}",
        "detail": publication.get_absolute_url(),
        "detail ru": "/ru" + publication.get_absolute_url(),
        "person": author.get_absolute_url(),
        "people": "/people/",
        "institution": institution.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "region": region.get_absolute_url(),
        "project": project.get_absolute_url(),
        "browse": "/topics/",
        "search": "/search/?q=Publication",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
        "not found": "/no-such-page/",
        "bibtex": reverse("publications:cite-bib", args=[publication.slug]),
        "ris": reverse("publications:cite-ris", args=[publication.slug]),
        "download": attachment.get_absolute_url(),
        "rss": "/feeds/latest.rss",
        "atom": "/feeds/latest.atom",
        "sitemap": "/sitemap.xml",
        "sitemap section": "/sitemap-publications.xml",
        "robots": "/robots.txt",
        "admin login": "/admin/login/",
    }


def test_production_settings_are_what_settings_py_gives_with_debug_off():
    values = settings_under(
        *PRODUCTION,
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "X_FRAME_OPTIONS",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
    )
    assert values["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    for name in PRODUCTION:
        if name != "SECURE_HSTS_SECONDS":
            assert values[name] is True, name
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["X_FRAME_OPTIONS"] == "DENY"


def assert_csp_is_strict(policy, html=None):
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    # Django adds a nonce only to responses whose page used one.
    nonces = [v[7:-1] for v in directives["script-src"] if v.startswith("'nonce-")]
    nonce = nonces[0] if nonces else None
    if html is not None:
        # Every inline script carries this response's nonce (external ones are 'self').
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag:
                assert f'nonce="{nonce}"' in tag, tag
        assert "<style" not in html or f'<style nonce="{nonce}"' in html
        assert " style=" not in html, "inline style attributes would be blocked by the CSP"
    return nonce


@pytest.mark.slow
@override_settings(**PRODUCTION)
def test_every_page_type_sends_the_security_headers(client, site):
    for name, url in site.items():
        response = client.get(url, secure=True)
        expected = 404 if name == "not found" else 200
        assert response.status_code == expected, (name, response.status_code)
        headers = response.headers
        hsts = headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= ONE_YEAR, name
        assert "includeSubDomains" in hsts and "preload" in hsts, name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert "camera=()" in headers["Permissions-Policy"], name
        assert "geolocation=()" in headers["Permissions-Policy"], name
        assert headers["X-Frame-Options"] == "DENY", name
        html = None
        if headers["Content-Type"].startswith("text/html"):
            html = b"".join(response).decode() if response.streaming else response.text
        assert_csp_is_strict(headers["Content-Security-Policy"], html)


@override_settings(**PRODUCTION)
def test_each_response_gets_a_fresh_nonce(client, site):
    first = client.get(site["detail"], secure=True).headers["Content-Security-Policy"]
    second = client.get(site["detail"], secure=True).headers["Content-Security-Policy"]
    assert None is not assert_csp_is_strict(first) != assert_csp_is_strict(second)


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https(client):
    response = client.get("/publications/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/publications/"


@override_settings(**PRODUCTION)
def test_session_and_csrf_cookies_are_secure_and_http_only(client, superuser):
    response = client.get("/admin/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "root",
            "password": "pw-root-123!",
            "csrfmiddlewaretoken": csrf.value,
        },
        secure=True,
    )
    assert response.status_code == 302, response.content[:2000]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@override_settings(**PRODUCTION)
def test_admin_pages_keep_the_strict_policy(admin_client):
    for url in ["/admin/", "/admin/publications/publication/add/"]:
        response = admin_client.get(url, secure=True)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY"
        policy = response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy
        # Only the rich-text editor's one stylesheet is allowed inline, by its hash.
        assert settings.PROSE_EDITOR_STYLE_HASH in policy
    public = admin_client.get("/publications/", secure=True)["Content-Security-Policy"]
    assert settings.PROSE_EDITOR_STYLE_HASH not in public


def test_uploaded_files_are_served_with_nosniff(client, site, settings):
    from publications.models import Attachment

    attachment = Attachment.objects.get()
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
