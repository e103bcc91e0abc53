import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from publications.models import Publication, Rating
from publications.sanitize import sanitize_html
from tests.factories import make_person, make_project, make_publication

pytestmark = pytest.mark.django_db


@pytest.mark.clock
def test_published_excludes_drafts_review_and_scheduled():
    live = make_publication()
    make_publication(status=Publication.Status.DRAFT)
    make_publication(status=Publication.Status.REVIEW)
    make_publication(published_at=timezone.now() + dt.timedelta(days=1))
    assert list(Publication.objects.published()) == [live]


@pytest.mark.clock
def test_scheduled_publication_becomes_public_when_its_date_comes():
    future = timezone.now() + dt.timedelta(hours=1)
    publication = make_publication(published_at=future)
    assert not Publication.objects.published().filter(pk=publication.pk).exists()
    Publication.objects.filter(pk=publication.pk).update(published_at=timezone.now())
    assert Publication.objects.published().filter(pk=publication.pk).exists()


@pytest.mark.clock
def test_publishing_without_a_date_sets_it_now():
    publication = make_publication(status=Publication.Status.DRAFT, published_at=None)
    publication.status = Publication.Status.PUBLISHED
    publication.save()
    assert publication.published_at is not None
    assert publication.published_at <= timezone.now()


def test_database_refuses_a_second_rating_by_the_same_reader():
    publication = make_publication()
    Rating.objects.create(publication=publication, reader="anon:abc", stars=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(publication=publication, reader="anon:abc", stars=5)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("stars", [0, 6])
def test_database_refuses_stars_out_of_range(stars):
    publication = make_publication()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(publication=publication, reader="anon:x", stars=stars)


def test_database_refuses_a_published_row_without_a_date():
    publication = make_publication()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(published_at=None)


def test_database_refuses_a_part_number_without_a_project():
    publication = make_publication()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(project_part=2)


def test_one_translation_per_language():
    original = make_publication(language="en")
    make_publication(language="ru", translation_of=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_publication(language="ru", translation_of=original)


def test_translation_must_point_at_an_original_in_another_language():
    original = make_publication(language="en")
    translation = make_publication(language="ru", translation_of=original)
    same_language = Publication(
        title="x", slug="x", summary="s", language="en", translation_of=original
    )
    with pytest.raises(ValidationError) as error:
        same_language.full_clean()
    assert "language" in error.value.message_dict
    chained = Publication(
        title="y", slug="y", summary="s", language="en", translation_of=translation
    )
    with pytest.raises(ValidationError) as error:
        chained.full_clean()
    assert "translation_of" in error.value.message_dict


def test_language_versions_link_both_ways_and_hide_unpublished():
    original = make_publication(language="en")
    russian = make_publication(language="ru", translation_of=original)
    assert list(original.language_versions()) == [russian]
    assert list(russian.language_versions()) == [original]
    Publication.objects.filter(pk=russian.pk).update(status=Publication.Status.DRAFT)
    assert list(original.language_versions()) == []


def test_rating_average_and_no_votes():
    publication = make_publication()
    assert publication.rating_average is None
    publication.rating_count, publication.rating_sum = 3, 13
    assert publication.rating_average == 4.3


def test_authors_keep_byline_order():
    first, second, third = make_person(), make_person(), make_person()
    publication = make_publication(authors=[second, third, first])
    loaded = Publication.objects.for_detail().get(pk=publication.pk)
    assert [a.person for a in loaded.authors] == [second, third, first]


def test_project_part_is_accepted_with_a_project():
    project = make_project()
    publication = make_publication(project=project, project_part=3)
    assert publication.project_part == 3


XSS = [
    ("<p>ok<script>alert(1)</script></p>", "<script"),
    ('<p onclick="alert(1)">x</p>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
    ('<a href="java\tscript:alert(1)">x</a>', "script:"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ("<svg onload=alert(1)><circle/></svg>", "svg"),
    ('<iframe src="https://evil.example"></iframe>', "iframe"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
]


@pytest.mark.parametrize(("payload", "forbidden"), XSS)
def test_body_is_sanitized_on_save(payload, forbidden):
    publication = make_publication(body=payload)
    publication.refresh_from_db()
    assert forbidden.lower() not in publication.body.lower()


def test_sanitizer_keeps_editorial_markup():
    html = '<h2>Findings</h2><p><strong>Bold</strong> and <a href="https://rusi.org">a link</a></p>'
    cleaned = sanitize_html(html)
    assert "<h2>Findings</h2>" in cleaned
    assert "<strong>Bold</strong>" in cleaned
    assert 'href="https://rusi.org"' in cleaned
    assert sanitize_html("<p></p>") == ""
