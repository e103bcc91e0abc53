import pytest

from dialogue_portal.pages.models import Page
from people.models import Affiliation, Institution, Person
from polls.models import Poll
from publications.models import Audience, Programme, Project, Publication, Region, Topic
from tests.factories import (
    make_attachment,
    make_audience,
    make_institution,
    make_person,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
    png_upload,
)


@pytest.fixture
def small_archive(db):
    """A little of everything the format carries."""
    rusi = make_institution(slug="rusi", name="Royal United Services Institute", short_name="RUSI")
    riac = make_institution(
        slug="riac", name="Russian International Affairs Council", name_ru="РСМД"
    )
    first = make_person(
        slug="emily-ferris", given_name="Emily", family_name="Ferris", institution=rusi
    )
    second = make_person(
        slug="andrey-kortunov", given_name="Andrey", family_name="Kortunov",
        given_name_ru="Андрей", family_name_ru="Кортунов", institution=riac,
    )  # fmt: skip
    project = make_project(slug="dialogue", name="UK–Russia Security Dialogue")
    project.institutions.set([rusi, riac])
    programme = make_programme(slug="iss", name="International Security Studies", institution=rusi)
    topic, region = make_topic(slug="arms-control"), make_region(slug="arctic")
    audience = make_audience(slug="researchers")
    original = make_publication(
        slug="part-one", title="Part one", authors=[second, first], topics=[topic],
        regions=[region], project=project, project_part=1, programme=programme,
        body="<p>Body <strong>text</strong></p>", banner_image=png_upload(),
        banner_alt="Map", banner_credit="RAF",
    )  # fmt: skip
    original.audiences.set([audience])
    original.authorships.filter(person=first).update(byline_position="Fellow", institution=rusi)
    make_attachment(original, title="Full report")
    make_attachment(original, title="Summary", language="ru")
    make_publication(
        slug="part-one-ru", title="Часть первая", language="ru", translation_of=original
    )
    make_publication(slug="draft", status=Publication.Status.DRAFT, published_at=None)
    return original


def empty_the_database():
    """Everything the archive carries, and what leans on it: the site's pages for an
    audience protect their audience, so they go first."""
    Page.objects.all().delete()
    Poll.objects.all().delete()
    Publication.objects.filter(translation_of__isnull=False).delete()
    Publication.objects.all().delete()
    Affiliation.objects.all().delete()
    Person.objects.all().delete()
    for model in (Topic, Region, Audience, Project, Programme):
        model.objects.all().delete()
    Institution.objects.all().delete()
