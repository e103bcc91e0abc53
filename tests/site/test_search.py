import pytest

from publications.models import Publication
from tests.factories import make_person, make_poll, make_publication

pytestmark = pytest.mark.django_db


def test_site_search_finds_publications_people_and_polls(client):
    maria = make_person(
        given_name="Maria", family_name="Smekalova", position="Security coordinator"
    )
    make_publication(title="Security dialogue report", authors=[maria])
    make_publication(title="Security draft", status=Publication.Status.DRAFT)
    make_poll(question="Will the security dialogue continue?")
    response = client.get("/search/?q=security")
    html = response.content.decode()
    assert "Security dialogue report" in html
    assert "Security draft" not in html
    assert "Maria Smekalova" in html
    assert "Will the security dialogue continue?" in html


@pytest.mark.parametrize("q", ["", "%25", "_", "%00", "x" * 10_000, "%F0%9F%98%80", "'\"<>"])
def test_site_search_survives_odd_queries(client, q):
    assert client.get(f"/search/?q={q}").status_code == 200


def test_search_query_is_escaped(client):
    html = client.get("/search/?q=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in html


def test_people_and_polls_are_found_by_words_in_any_order_and_either_case(client):
    kortunov = make_person(
        given_name="Andrey",
        family_name="Kortunov",
        given_name_ru="Андрей",
        family_name_ru="Кортунов",
        position="Director General",
    )
    make_publication(title="Dialogue report", authors=[kortunov])
    make_poll(
        question="Will Arctic cooperation survive?",
        question_ru="Выживет ли сотрудничество в Арктике?",
    )
    for text in ("kortunov andrey", "КОРТУНОВ", "general director"):
        html = client.get("/search/", {"q": text}).content.decode()
        assert "Andrey Kortunov" in html, text
    for text in ("cooperation arctic", "ARCTIC survive", "АРКТИКЕ сотрудничество"):
        html = client.get("/search/", {"q": text}).content.decode()
        assert "Will Arctic cooperation survive?" in html, text
    html = client.get("/search/", {"q": "kortunov maria arctic"}).content.decode()
    assert "Andrey Kortunov" not in html and "Will Arctic cooperation survive?" not in html
