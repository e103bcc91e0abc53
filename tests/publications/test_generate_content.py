import io

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum

from dialogue_portal.demo.management.commands import generate_content
from people.models import Person
from polls.models import Choice, Poll
from publications.models import Attachment, Publication, Rating
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


def generate(*args):
    call_command("generate_content", *args, stdout=io.StringIO())


def test_generates_published_publications_with_consistent_totals():
    generate("--publications", "30", "--seed", "7")

    generated = Publication.objects.filter(slug__startswith="gen-")
    assert generated.count() == 30
    assert Publication.objects.published().filter(slug__startswith="gen-").count() == 30
    assert generated.filter(language="ru", translation_of__isnull=False).exists()
    assert len(set(generated.values_list("kind", flat=True))) > 1

    for publication in generated.annotate(rows=Count("ratings"), stars=Sum("ratings__stars")):
        assert publication.rating_count == publication.rows
        assert publication.rating_sum == (publication.stars or 0)
    assert Rating.objects.filter(publication__in=generated).exists()

    for publication in generated.with_authors():
        orders = [a.order for a in publication.authors]
        assert 1 <= len(orders) <= 4
        assert orders == list(range(1, len(orders) + 1))
        assert publication.topics.exists()

    parts = (
        generated.filter(project_part__isnull=False, language="en")
        .values("project")
        .annotate(n=Count("pk"))
    )
    assert all(row["n"] <= 5 for row in parts)  # a series has a few rounds

    attachments = Attachment.objects.filter(publication__in=generated)
    assert attachments.count() == 30
    assert len(set(attachments.values_list("file", flat=True))) == 1
    assert attachments.first().size_bytes > 0

    for poll in Poll.objects.filter(slug__startswith="gen-"):
        assert poll.total_votes == poll.votes.count()
        for choice in Choice.objects.filter(poll=poll).annotate(n=Count("votes")):
            assert choice.vote_count == choice.n

    if connection.vendor == "postgresql":
        assert not generated.filter(search_vector__isnull=True).exists()
        author = generated.with_authors().first().authors[0].person
        found = Publication.objects.filter(
            search_vector=SearchQuery(author.family_name, config="simple")
        )
        assert found.filter(authorships__person=author).exists()


@pytest.mark.slow
def test_same_seed_same_content_and_clear_removes_only_generated_rows():
    own = make_publication(title="Written by an editor")
    generate("--publications", "12", "--seed", "3")
    first = list(Publication.objects.filter(slug__startswith="gen-").values_list("slug", "title"))

    generate("--clear", "--publications", "0")
    assert not Publication.objects.filter(slug__startswith="gen-").exists()
    assert not Person.objects.filter(slug__startswith="gen-").exists()
    assert Publication.objects.filter(pk=own.pk).exists()

    generate("--publications", "12", "--seed", "3")
    again = list(Publication.objects.filter(slug__startswith="gen-").values_list("slug", "title"))
    assert again == first


def test_adds_to_what_is_there():
    generate("--publications", "5")
    generate("--publications", "5")
    assert Publication.objects.filter(slug__startswith="gen-").count() == 10


def search_index_definitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'publications_publication' AND indexdef LIKE '%%(search_vector)%%' ORDER BY 1"
        )
        return cursor.fetchall()


@pytest.mark.postgres
def test_large_run_builds_the_search_indexes_again_after_the_rows(monkeypatch):
    """A large run drops the full-text indexes and builds them from their own definitions
    at the end, also when the run fails half-way."""
    before = search_index_definitions()
    assert before  # the GIN index at least
    monkeypatch.setattr(generate_content, "REBUILD_INDEXES_FROM", 1)
    out = io.StringIO()
    call_command("generate_content", "--publications", "8", stdout=out)
    assert "built " in out.getvalue()
    assert search_index_definitions() == before
    found = Publication.objects.filter(search_vector=SearchQuery("security", config="english"))
    assert found.filter(slug__startswith="gen-").exists()

    with pytest.raises(RuntimeError), generate_content.search_indexes_set_aside(out.write):
        assert search_index_definitions() == []
        raise RuntimeError("the run stops half-way")
    assert search_index_definitions() == before
