"""A publication's DOI: typed in any common spelling, stored in one, refused when malformed
or taken, and carried wherever the publication is cited."""

import json
import re

import pytest
from django.urls import reverse

from publications.identifiers import normalize_doi
from publications.models import Publication
from tests.factories import make_person, make_publication
from tests.publications.test_admin import publication_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:publications_publication_add")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("10.1234/abc-5678", "10.1234/abc-5678"),
        ("  https://doi.org/10.1234/ABC(1)  ", "10.1234/ABC(1)"),
        ("http://dx.doi.org/10.5555/12345678", "10.5555/12345678"),
        ("doi:10.1000.10/x;y", "10.1000.10/x;y"),
        ("DOI: 10.1234/a", "10.1234/a"),
        ("https://doi.org/doi:10.1234/a", "10.1234/a"),
        ("", ""),
    ],
)
def test_the_doi_is_stored_without_resolver_or_prefix(typed, stored):
    assert normalize_doi(typed) == stored


def test_an_editor_saves_a_doi_in_any_spelling(editor_client):
    data = publication_form(doi="https://doi.org/10.1234/dialogue.2019-07")
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Publication.objects.get(slug=data["slug"]).doi == "10.1234/dialogue.2019-07"


@pytest.mark.parametrize(
    "doi",
    [
        "10.123/too-short-registrant",
        "11.1234/not-a-doi",
        "10.1234/",
        "10.1234/has space",
        "10.1234/brace}",
        "https://example.org/10.1234/x",
        "doi.org/10.1234/x",
        "x" * 300,
    ],
)
def test_a_malformed_doi_is_a_form_error(editor_client, doi):
    response = editor_client.post(ADD_URL, publication_form(doi=doi))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["doi"]
    assert not Publication.objects.exists()


def test_a_doi_belongs_to_one_publication_whatever_its_case(editor_client):
    make_publication(doi="10.1234/Taken")
    make_publication(doi="")  # many publications have none
    response = editor_client.post(ADD_URL, publication_form(doi="doi:10.1234/taKEN"))
    assert response.status_code == 200
    assert "Another publication already has this DOI." in str(
        response.context["adminform"].form.errors
    )
    assert Publication.objects.count() == 2
    assert editor_client.post(ADD_URL, publication_form(doi="")).status_code == 302


@pytest.mark.slow
def test_the_page_and_every_citation_carry_the_doi(client):
    person = make_person(given_name="Emily", family_name="Ferris")
    publication = make_publication(title="Talking", authors=[person], doi="10.1234/talk_1")
    html = client.get(publication.get_absolute_url()).content.decode()
    link = (
        '<a href="https://doi.org/10.1234/talk_1" rel="noopener">https://doi.org/10.1234/talk_1</a>'
    )
    assert link in html
    assert '<meta name="citation_doi" content="10.1234/talk_1">' in html
    assert '<meta name="DC.identifier" content="https://doi.org/10.1234/talk_1">' in html
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    article = json.loads(raw.group(1))[0]
    assert article["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1234/talk_1",
    }
    assert article["sameAs"] == "https://doi.org/10.1234/talk_1"
    assert "https://doi.org/10.1234/talk_1" in html.split('id="citation-text"')[1].split("</p>")[0]
    bib = client.get(f"/publications/{publication.slug}/cite.bib").content.decode()
    assert "  doi = {10.1234/talk_1}," in bib
    ris = client.get(f"/publications/{publication.slug}/cite.ris").content.decode()
    assert "DO  - 10.1234/talk_1\r\n" in ris


def test_without_a_doi_nothing_pretends_to_be_one(client):
    publication = make_publication()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert "doi.org" not in html and "citation_doi" not in html and '"sameAs"' not in html
    assert "doi =" not in client.get(f"/publications/{publication.slug}/cite.bib").content.decode()
    assert "DO  -" not in client.get(f"/publications/{publication.slug}/cite.ris").content.decode()
