"""The admin's pages name the site's icon, as the public pages do: a browser tab shows it,
and no browser asks for /favicon.ico, which is not found."""

import pytest
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db

ICON = f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">'


def test_the_sign_in_page_names_the_icon(client):
    assert ICON in client.get(reverse("admin:login")).content.decode()


def test_the_admin_pages_name_the_icon(editor_client):
    assert ICON in editor_client.get(reverse("admin:index")).content.decode()
    changelist = reverse("admin:publications_publication_changelist")
    assert ICON in editor_client.get(changelist).content.decode()
