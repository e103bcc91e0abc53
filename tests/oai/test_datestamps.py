"""A record's datestamp moves whenever anything a harvester receives changes, through every
path editors use, and only then; deleted and scheduled publications keep honest records."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.oai.metadata import oai_identifier
from dialogue_portal.oai.models import Record
from dialogue_portal.oai.services import refresh_records
from people.models import Affiliation
from publications.models import Authorship, Publication
from tests.desk.helpers import post_form
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_project,
    make_publication,
    make_topic,
)
from tests.oai.conftest import NS, error_code, oai

# Days and their edges: run again under every clock of tests/clock.py.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the change as if its transaction committed (the refresh runs on commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def setup(harvestable):
    institution = make_institution(name="RIAC")
    first = make_person(institution=institution)
    second = make_person()
    topic = make_topic()
    publication = make_publication(authors=[first, second], topics=[topic])
    harvestable()
    return publication, first, second, institution


def stamp(publication):
    return Record.objects.get(publication_id=publication.pk).datestamp


def moved(publication, before):
    return stamp(publication) > before


CHANGES = {
    "author added": lambda p, a, b, i: Authorship.objects.create(
        publication=p, person=make_person(), order=9
    ),
    "author removed": lambda p, a, b, i: Authorship.objects.filter(person=b).delete(),
    "authors reordered": lambda p, a, b, i: [
        Authorship.objects.filter(publication=p, person=a).update(order=5),
        Authorship.objects.get(publication=p, person=a).save(),
    ],
    "author renamed": lambda p, a, b, i: setattr(a, "family_name", "Renamed") or a.save(),
    "institution renamed": lambda p, a, b, i: setattr(i, "name", "New name") or i.save(),
    "author joined an institution": lambda p, a, b, i: Affiliation.objects.create(
        person=b, institution=make_institution(), role="Fellow"
    ),
    "tag added": lambda p, a, b, i: p.topics.add(make_topic()),
    "tag removed": lambda p, a, b, i: p.topics.clear(),
    "project set": lambda p, a, b, i: setattr(p, "project", make_project()) or p.save(),
    "attachment added": lambda p, a, b, i: make_attachment(p),
    "title edited": lambda p, a, b, i: setattr(p, "title", "A new title") or p.save(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_moves_the_datestamp(setup, committed, change):
    publication, first, second, institution = setup
    before = stamp(publication)
    with committed():
        CHANGES[change](publication, first, second, institution)
    assert moved(publication, before)


def test_attachment_removed_moves_the_datestamp(setup, committed):
    publication = setup[0]
    with committed():
        make_attachment(publication)
    before = stamp(publication)
    with committed():
        publication.attachments.get().delete()
    assert moved(publication, before)


def test_topic_renamed_moves_the_datestamp(setup, committed):
    publication = setup[0]
    before = stamp(publication)
    topic = publication.topics.get()
    with committed():
        topic.name = "Renamed topic"
        topic.save()
    assert moved(publication, before)


def test_what_harvesters_do_not_see_moves_nothing(setup, committed):
    publication = setup[0]
    before = stamp(publication)
    with committed():
        Publication.objects.filter(pk=publication.pk).update(view_count=99, rating_count=0)
        publication.refresh_from_db()
        publication.featured = True
        publication.save()
    assert stamp(publication) == before


def test_admin_save_with_inlines_moves_it_once(setup, committed, client, superuser):
    publication, first, second, institution = setup
    before = stamp(publication)
    client.force_login(superuser)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "kind": publication.kind,
            "title": publication.title,
            "slug": publication.slug,
            "summary": "Edited in the admin.",
            "status": "published",
            "published_at_0": publication.published_at.strftime("%Y-%m-%d"),
            "published_at_1": publication.published_at.strftime("%H:%M:%S"),
            "language": "en",
            "topics": [t.pk for t in publication.topics.all()],
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        }
    )
    for key in ("banner_image", "translation_of", "project", "programme", "project_part"):
        data.pop(key, None)
    with committed():
        response = post_form(client, url, data)
    assert response.status_code == 302, response.content[:2000]
    assert moved(publication, before)


def test_bulk_unpublish_and_publish_in_the_admin(setup, committed, client, superuser):
    publication = setup[0]
    client.force_login(superuser)
    url = reverse("admin:publications_publication_changelist")
    with committed():
        client.post(url, {"action": "unpublish", "_selected_action": [publication.pk]})
    record = Record.objects.get(publication_id=publication.pk)
    assert record.deleted
    with committed():
        client.post(url, {"action": "publish", "_selected_action": [publication.pk]})
    record.refresh_from_db()
    assert not record.deleted
    assert record.datestamp > record.created


def test_deleted_publication_stays_as_a_deleted_record(setup, committed, client):
    publication = setup[0]
    pk = publication.pk
    with committed():
        publication.delete()
    record = Record.objects.get(publication_id=pk)
    assert record.deleted
    assert record.memberships.filter(spec__startswith="topic:").exists()
    document = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    header = document.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    # A deleted record stays in the sets it was in, and only those.
    topic_set = [s for s in record.specs if s.startswith("topic:")][0]
    assert (
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=topic_set)
        .find(".//oai:header", NS)
        .get("status")
        == "deleted"
    )
    assert (
        error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type:article"))
        == "noRecordsMatch"
    )
    # earliestDatestamp covers it.
    earliest = oai(client, verb="Identify").findtext(".//oai:earliestDatestamp", namespaces=NS)
    assert earliest <= header.findtext("oai:datestamp", namespaces=NS)


def test_republishing_gives_one_live_record(setup, committed, client):
    publication = setup[0]
    with committed():
        publication.status = Publication.Status.DRAFT
        publication.save()
    assert Record.objects.get(publication_id=publication.pk).deleted
    with committed():
        publication.status = Publication.Status.PUBLISHED
        publication.save()
    assert Record.objects.filter(publication_id=publication.pk).count() == 1
    document = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    headers = document.findall(".//oai:header", NS)
    assert len(headers) == 1
    assert headers[0].get("status") is None


def test_scheduled_publication_appears_at_its_publish_time(client, committed):
    publish_at = timezone.now() + dt.timedelta(hours=2)
    with committed():
        publication = make_publication(published_at=publish_at)
    record = Record.objects.get(publication_id=publication.pk)
    assert record.datestamp == publish_at
    identifier = oai_identifier(publication.pk)
    before = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert error_code(before) == "idDoesNotExist"
    # The publish time comes; nobody saves anything.
    later = publish_at + dt.timedelta(seconds=1)
    Publication.objects.filter(pk=publication.pk).update(published_at=publish_at)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        after = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
        assert after.findtext(".//oai:datestamp", namespaces=NS) == publish_at.astimezone(
            dt.UTC
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        listed = oai(
            client,
            verb="ListIdentifiers",
            metadataPrefix="oai_dc",
            **{"from": publish_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        assert len(listed.findall(".//oai:header", NS)) == 1


def test_a_scheduled_publication_withdrawn_before_its_time_leaves_no_record(committed):
    with committed():
        publication = make_publication(published_at=timezone.now() + dt.timedelta(days=1))
    with committed():
        publication.status = Publication.Status.DRAFT
        publication.save()
    assert not Record.objects.filter(publication_id=publication.pk).exists()


def test_backdated_publication_is_datestamped_when_it_arrives(committed):
    with committed():
        publication = make_publication(days_ago=2000)
    assert stamp(publication) > timezone.now() - dt.timedelta(minutes=1)


def test_refresh_twice_changes_nothing(setup):
    publication = setup[0]
    before = stamp(publication)
    refresh_records([publication.pk])
    refresh_records([publication.pk])
    assert stamp(publication) == before


def test_oai_refresh_catches_what_no_hook_saw(client):
    """Rows written in bulk (``generate_content``, SQL) send no signal: the command finds them."""
    publication = Publication.objects.bulk_create(
        [
            Publication(
                title="Bulk",
                slug="bulk",
                summary="Loaded in bulk.",
                status=Publication.Status.PUBLISHED,
                published_at=timezone.now() - dt.timedelta(days=1),
            )
        ]
    )[0]
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == (
        "noRecordsMatch"
    )
    call_command("oai_refresh", verbosity=0)
    document = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert document.findtext(".//dc:title", namespaces=NS) == "Bulk"
    assert Record.objects.get().publication_id == publication.pk


def test_many_topics_fit(committed):
    topics = [make_topic(slug="t" * 100 + str(n)) for n in range(30)]
    with committed():
        publication = make_publication(topics=topics)
    assert len(Record.objects.get(publication_id=publication.pk).specs) == 32


def test_editors_can_look_up_records_but_not_change_them(setup, editor_client):
    record = Record.objects.get(publication_id=setup[0].pk)
    listing = editor_client.get(reverse("admin:oai_record_changelist"))
    assert listing.status_code == 200
    assert oai_identifier(setup[0].pk) in listing.text
    detail = editor_client.get(reverse("admin:oai_record_change", args=[record.pk]))
    assert detail.status_code == 200
    posted = editor_client.post(reverse("admin:oai_record_change", args=[record.pk]), {})
    assert posted.status_code == 403
