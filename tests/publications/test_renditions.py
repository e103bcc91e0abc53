"""Banner renditions: WebP copies at the widths pages show, offered in srcset."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from publications.models import Publication
from publications.renditions import refresh_banner_renditions
from tests.factories import png_upload
from tests.publications.test_admin import publication_form

pytestmark = pytest.mark.django_db


def save_with_banner(client, upload, **fields):
    data = publication_form(
        banner_image=upload,
        banner_alt="Flight paths",
        status="published",
        published_at_0="2026-01-05",
        published_at_1="10:00:00",
        **fields,
    )
    response = client.post(reverse("admin:publications_publication_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Publication.objects.get(slug="managing-security-relations")


def opened(publication, name):
    with publication.banner_image.storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_saving_a_large_banner_makes_smaller_webp_copies(reviewer_client, client):
    publication = save_with_banner(reviewer_client, png_upload(size=(1200, 600)))
    sizes = publication.banner_renditions["sizes"]
    assert [(s["width"], s["height"]) for s in sizes] == [(480, 240), (960, 480)]
    for size in sizes:
        image = opened(publication, size["name"])
        assert image.format == "WEBP" and image.size == (size["width"], size["height"])
    html = client.get(publication.get_absolute_url()).content.decode()
    original = publication.banner_image.url
    assert "-480w.webp 480w, " in html and f"-960w.webp 960w, {original} 1200w" in html
    assert 'sizes="(min-width: 76rem) 73rem, 100vw"' in html


def test_a_banner_narrower_than_every_width_is_shown_as_it_is(reviewer_client, client):
    publication = save_with_banner(reviewer_client, png_upload(size=(400, 200)))
    assert publication.banner_renditions["sizes"] == []
    html = client.get(publication.get_absolute_url()).content.decode()
    assert publication.banner_image.url in html and "srcset" not in html


def test_a_new_banner_gets_new_copies_and_saving_again_reuses_them(reviewer_client):
    publication = save_with_banner(reviewer_client, png_upload(size=(1000, 500)))
    first = publication.banner_renditions
    assert refresh_banner_renditions(publication) == first["sizes"]  # nothing to redo
    publication.banner_image.save("other.png", png_upload(size=(1700, 700)), save=True)
    publication.refresh_from_db()
    sizes = refresh_banner_renditions(publication)
    assert [s["width"] for s in sizes] == [480, 960, 1600]
    assert publication.banner_renditions["source"] == publication.banner_image.name
    assert first["source"] != publication.banner_image.name


def test_removing_the_banner_forgets_its_copies(reviewer_client):
    publication = save_with_banner(reviewer_client, png_upload(size=(1000, 500)))
    publication.banner_image = None
    publication.save()
    refresh_banner_renditions(publication)
    publication.refresh_from_db()
    assert publication.banner_renditions == {}
    assert publication.banner_srcset == ""
