import pytest

from publications.models import Publication
from tests.factories import make_project, make_publication, make_region, make_topic

pytestmark = pytest.mark.django_db


def test_topic_and_region_pages_list_their_publications(client):
    topic, region = make_topic(name="Cyber Security"), make_region(name="Middle East")
    make_publication(title="Cyber paper", topics=[topic])
    make_publication(title="Gulf paper", regions=[region])
    make_publication(title="Hidden", topics=[topic], status=Publication.Status.DRAFT)
    topic_html = client.get(topic.get_absolute_url()).content.decode()
    assert "Cyber paper" in topic_html and "Gulf paper" not in topic_html
    assert "Hidden" not in topic_html
    assert "Gulf paper" in client.get(region.get_absolute_url()).content.decode()


def test_project_page_lists_its_rounds_in_order(client):
    project = make_project(name="UK–Russia Security Dialogue")
    make_publication(title="Round three", project=project, project_part=3, days_ago=1)
    make_publication(title="Round one", project=project, project_part=1, days_ago=900)
    make_publication(title="Round two", project=project, project_part=2, days_ago=500)
    html = client.get(project.get_absolute_url()).content.decode()
    rounds = html[html.index("The rounds in order") :]
    assert rounds.index("Round one") < rounds.index("Round two") < rounds.index("Round three")


def test_browse_page_shows_terms_in_use_with_counts(client):
    used = make_topic(name="Used")
    make_topic(name="Unused")
    make_publication(topics=[used])
    make_publication(topics=[used])
    html = client.get("/topics/").content.decode()
    assert "Used" in html and "Unused" not in html
    assert f'href="{used.get_absolute_url()}">Used</a> <span class="count">(2)</span>' in html


def test_unknown_term_is_404(client):
    for url in [
        "/topics/none/",
        "/regions/none/",
        "/projects/none/",
        "/programmes/none/",
        "/audiences/none/",
    ]:
        assert client.get(url).status_code == 404
