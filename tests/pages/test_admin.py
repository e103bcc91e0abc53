"""Editors write pages in the admin with the sanitized editor; a save refreshes caches."""

import pytest
from django.test import Client
from django.urls import reverse

from dialogue_portal.core.pagecache import content_version
from dialogue_portal.pages.models import Page
from tests.desk.helpers import post_form
from tests.factories import make_audience

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:pages_page_add")


def page_form(**overrides):
    data = {
        "role": "about",
        "audience": "",
        "title": "About us",
        "slug": "about",
        "summary": "Who we are.",
        "body": "<p>Body text.</p>",
        "is_published": "on",
        "language": "en",
        "translation_of": "",
        "donation_url": "",
        "donation_label": "",
        "contact_email": "",
        "contact_phone": "",
        "address": "",
    }
    data.update(overrides)
    return data


def test_a_script_pasted_by_an_editor_never_reaches_a_reader(editor_client):
    reader = Client()
    body = '<p onclick="steal()">Hello<script>alert("x")</script></p><img src=x onerror=alert(1)>'
    response = editor_client.post(ADD_URL, page_form(body=body))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Page.objects.get()
    assert "script" not in page.body and "onclick" not in page.body and "onerror" not in page.body
    served = reader.get("/about/").content.decode()
    assert "<p>Hello</p>" in served
    assert "steal()" not in served and 'alert("x")' not in served and "onerror" not in served


def test_an_editors_save_makes_cached_pages_stale(
    editor_client, settings, django_capture_on_commit_callbacks
):
    reader = Client()
    settings.PAGE_CACHE_SECONDS = 60
    editor_client.post(ADD_URL, page_form())
    page = Page.objects.get()
    assert reader.get("/about/")["X-Page-Cache"] == "miss"
    assert reader.get("/about/")["X-Page-Cache"] == "hit"
    before = content_version()
    change = reverse("admin:pages_page_change", args=[page.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        response = post_form(editor_client, change, page_form(title="About the portal"))
    assert response.status_code == 302
    assert content_version() != before
    response = reader.get("/about/")
    assert response["X-Page-Cache"] == "miss"
    assert "<h1>About the portal</h1>" in response.content.decode()


def test_bad_combinations_are_form_errors_not_500s(editor_client):
    students = make_audience(slug="students")
    response = editor_client.post(ADD_URL, page_form(role="audience"))
    assert response.status_code == 200
    assert "Choose the audience this page introduces." in response.content.decode()
    response = editor_client.post(ADD_URL, page_form(audience=str(students.pk)))
    assert "Only an introduction for an audience names one." in response.content.decode()
    editor_client.post(ADD_URL, page_form())
    response = editor_client.post(ADD_URL, page_form(slug="about-again"))
    assert "There is already such a page in this language." in response.content.decode()
    original = Page.objects.get()
    response = editor_client.post(
        ADD_URL, page_form(slug="about-copy", translation_of=str(original.pk))
    )
    assert "A translation must be in another language than its original." in (
        response.content.decode()
    )
    response = editor_client.post(ADD_URL, page_form(donation_url="javascript:alert(1)"))
    assert "Enter a valid URL." in response.content.decode()
    assert Page.objects.count() == 1


def test_editors_may_edit_pages(editor):
    assert all(
        editor.has_perm(f"pages.{action}_page") for action in ("add", "change", "delete", "view")
    )


def test_the_pages_list_and_form_in_the_admin(editor_client):
    form = editor_client.get(ADD_URL).content.decode()
    assert "prose-editor" in form  # the body is written with the project's rich-text editor
    editor_client.post(ADD_URL, page_form())
    response = editor_client.get(reverse("admin:pages_page_changelist") + "?role=about")
    assert response.status_code == 200
    assert "About us" in response.content.decode()
