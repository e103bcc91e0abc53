import pytest

from people.models import Affiliation
from publications.models import Publication
from tests.factories import make_institution, make_person, make_publication

pytestmark = pytest.mark.django_db


def test_people_list_is_a_to_z_of_authors_and_searchable(client):
    rusi = make_institution(short_name="RUSI")
    chalmers = make_person(
        given_name="Malcolm",
        family_name="Chalmers",
        institution=rusi,
        position="Deputy Director-General",
    )
    lain = make_person(given_name="Sarah", family_name="Lain")
    make_person(given_name="Never", family_name="Published")
    make_publication(authors=[lain, chalmers])
    html = client.get("/people/").content.decode()
    assert html.index("Malcolm Chalmers") < html.index("Sarah Lain")
    assert "Never Published" not in html
    assert "Deputy Director-General" in html and "RUSI" in html
    assert [p.family_name for p in client.get("/people/?letter=L").context["people"]] == ["Lain"]
    assert [p.family_name for p in client.get("/people/?q=deputy").context["people"]] == [
        "Chalmers"
    ]
    assert client.get("/people/?letter=%00&q=" + "x" * 5000).status_code == 200


def test_person_page_shows_affiliations_bio_and_publications(client):
    rusi, kcl = make_institution(name="RUSI"), make_institution(name="King's College")
    person = make_person(
        given_name="Sarah",
        family_name="Lain",
        bio="Worked in Kyiv.",
        honorific="MA",
        orcid="0000-0002-1825-0097",
    )
    Affiliation.objects.create(person=person, institution=rusi, role="Associate Fellow")
    Affiliation.objects.create(
        person=person,
        institution=kcl,
        role="Researcher",
        is_current=False,
        start_year=2010,
        end_year=2014,
    )
    make_publication(title="Her report", authors=[person])
    make_publication(title="Her draft", authors=[person], status=Publication.Status.DRAFT)
    html = client.get(person.get_absolute_url()).content.decode()
    for text in [
        "Sarah Lain",
        "Associate Fellow",
        "RUSI",
        "King&#x27;s College",
        "2010–2014",
        "Worked in Kyiv.",
        "Her report",
        "0000-0002-1825-0097",
    ]:
        assert text in html, text
    assert "Her draft" not in html


def test_institution_page_lists_its_people_and_publications(client):
    rusi = make_institution(name="Royal United Services Institute", slug="rusi")
    author = make_person(institution=rusi, family_name="Chalmers")
    make_publication(title="RUSI work", authors=[author])
    make_publication(title="Someone else's")
    html = client.get("/institutions/rusi/").content.decode()
    assert "Chalmers" in html and "RUSI work" in html and "Someone else" not in html


def test_unknown_person_or_institution_is_404(client):
    assert client.get("/people/nobody/").status_code == 404
    assert client.get("/institutions/nowhere/").status_code == 404
