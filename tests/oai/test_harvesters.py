"""Real harvesters against a live server: oaipmh-scythe (the maintained fork of Sickle) and
oaipmh (the fork of pyoai) follow every resumption token, and what they collect equals
completeListSize and the published count, also when records are added and deleted during
the harvest. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""

import datetime as dt

import pytest
from oaipmh.client import Client as PyoaiClient
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe

from dialogue_portal.oai.metadata import oai_identifier
from dialogue_portal.oai.services import refresh_all
from publications.models import Publication
from tests.factories import make_attachment, make_person, make_publication, make_topic

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 23


@pytest.fixture
def archive(settings, live_server):
    settings.OAI_PAGE_SIZE = 5
    settings.SITE_URL = live_server.url
    topic = make_topic(slug="security")
    author = make_person()
    publications = []
    for number in range(COUNT):
        publication = make_publication(authors=[author], topics=[topic] if number % 2 else [])
        if number % 3 == 0:
            make_attachment(publication)
        publications.append(publication)
    make_publication(status=Publication.Status.DRAFT, published_at=None)  # never listed
    refresh_all()
    return publications


def endpoint(live_server):
    return live_server.url + "/oai/"


@pytest.mark.slow
def test_scythe_follows_every_token(live_server, archive):
    scythe = Scythe(endpoint(live_server))
    response = scythe.harvest({"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    size = int(
        response.xml.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken").get(
            "completeListSize"
        )
    )
    records = list(scythe.list_records(metadata_prefix="oai_openaire"))
    identifiers = [record.header.identifier for record in records]
    assert len(identifiers) == len(set(identifiers)) == size == COUNT
    assert size == Publication.objects.published().count()
    titles = {record.metadata["title"][0] for record in scythe.list_records()}
    assert titles == {p.title for p in archive}
    assert len(list(scythe.list_identifiers(set_="topic:security"))) == COUNT // 2


@pytest.mark.slow
def test_scythe_harvest_with_additions_and_deletions(live_server, archive):
    scythe = Scythe(endpoint(live_server))
    existing = {oai_identifier(p.pk) for p in archive}
    unreached = oai_identifier(archive[20].pk)
    collected, changed = [], False
    for number, header in enumerate(scythe.list_identifiers(metadata_prefix="oai_dc")):
        collected.append((header.identifier, header.deleted))
        if number == 7 and not changed:
            changed = True
            archive[2].delete()  # already collected
            archive[20].delete()  # not reached yet
            archive[15].title = "Edited mid-harvest"
            archive[15].save()
            make_publication()  # added: left for the next harvest
            make_publication(topics=[make_topic()])
    identifiers = [identifier for identifier, _ in collected]
    assert len(identifiers) == len(set(identifiers)) == COUNT
    assert set(identifiers) == existing
    assert [i for i, deleted in collected if deleted] == [unreached]
    live = {identifier for identifier, deleted in collected if not deleted}
    # Everything published when the harvest began, less what went before it was reached.
    assert len(live) == COUNT - 1


@pytest.mark.slow
def test_pyoai_follows_every_token(live_server, archive):
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = PyoaiClient(endpoint(live_server), registry)
    identify = client.identify()
    assert identify.deletedRecord() == "persistent"
    assert identify.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    identifiers = [header.identifier() for header, _metadata, _about in records]
    assert len(identifiers) == len(set(identifiers)) == COUNT
    assert Publication.objects.published().count() == COUNT
    header, metadata, _about = client.getRecord(
        identifier=oai_identifier(archive[0].pk), metadataPrefix="oai_dc"
    )
    assert metadata["title"] == [archive[0].title]
    sets = [spec for spec, _name, _description in client.listSets()]
    assert "topic:security" in sets


@pytest.mark.slow
def test_pyoai_with_additions_and_deletions_then_incremental(live_server, archive):
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = PyoaiClient(endpoint(live_server), registry)
    started = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    first, last = oai_identifier(archive[0].pk), oai_identifier(archive[22].pk)
    collected, added = [], []
    for number, (header, _metadata, _about) in enumerate(
        client.listRecords(metadataPrefix="oai_dc")
    ):
        collected.append((header.identifier(), header.isDeleted()))
        if number == 12 and not added:
            archive[0].delete()
            archive[22].delete()
            added.append(make_publication())
    identifiers = [identifier for identifier, _ in collected]
    assert len(identifiers) == len(set(identifiers)) == COUNT
    # The next harvest, from the first one's start, brings the addition and both deletions.
    later = list(client.listIdentifiers(metadataPrefix="oai_dc", from_=started))
    news = {h.identifier(): h.isDeleted() for h in later}
    assert news[oai_identifier(added[0].pk)] is False
    assert news[first] is True
    assert news[last] is True
