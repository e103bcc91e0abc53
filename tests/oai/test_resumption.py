"""Resumption tokens: keyset positions, signed, expiring, repeatable; a harvest during which
publications are added, edited and deleted neither skips nor repeats a record that existed
throughout; a page costs a fixed number of queries."""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from dialogue_portal.oai.metadata import oai_identifier
from tests.factories import make_attachment, make_person, make_publication, make_topic
from tests.oai.conftest import NS, error_code, oai

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(settings):
    settings.OAI_PAGE_SIZE = 3


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def page(client, verb="ListRecords", **params):
    document = oai(client, verb=verb, **params)
    headers = document.findall(".//oai:header", NS)
    token = document.find(f".//oai:{verb}/oai:resumptionToken", NS)
    return document, headers, token


def test_pages_carry_cursor_size_and_expiry(client, harvestable, small_pages):
    publications = [make_publication() for _ in range(7)]
    harvestable()
    seen, cursors = [], []
    _, headers, token = page(client, metadataPrefix="oai_dc")
    while True:
        seen += [h.findtext("oai:identifier", namespaces=NS) for h in headers]
        assert token.get("completeListSize") == "7"
        cursors.append(token.get("cursor"))
        if not token.text:
            break
        expires = dt.datetime.strptime(token.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
        assert expires.replace(tzinfo=dt.UTC) >= timezone.now() + dt.timedelta(hours=24)
        _, headers, token = page(client, resumptionToken=token.text)
    assert cursors == ["0", "3", "6"]
    assert sorted(seen) == sorted(oai_identifier(p.pk) for p in publications)


def test_the_same_token_answers_the_same_page(client, harvestable, small_pages):
    for _ in range(5):
        make_publication()
    harvestable()
    _, _, token = page(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    first = page(client, verb="ListIdentifiers", resumptionToken=token.text)[1]
    again = page(client, verb="ListIdentifiers", resumptionToken=token.text)[1]
    assert [h.findtext("oai:identifier", namespaces=NS) for h in first] == [
        h.findtext("oai:identifier", namespaces=NS) for h in again
    ]


def test_tokens_expire_and_belong_to_their_verb(client, harvestable, small_pages, settings):
    for _ in range(5):
        make_publication()
    harvestable()
    _, _, token = page(client, metadataPrefix="oai_dc")
    wrong_verb = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert error_code(wrong_verb) == "badResumptionToken"
    tampered = oai(client, verb="ListRecords", resumptionToken=token.text[:-2] + "xx")
    assert error_code(tampered) == "badResumptionToken"
    later = timezone.now() + dt.timedelta(seconds=settings.OAI_TOKEN_SECONDS + 60)
    with mock.patch("time.time", return_value=later.timestamp()):
        expired = oai(client, verb="ListRecords", resumptionToken=token.text)
    assert error_code(expired) == "badResumptionToken"


def harvest(client, during=None, verb="ListRecords", **params):
    """Follow every token; ``during(page_number)`` changes the archive between pages."""
    records, number = [], 0
    _, headers, token = page(client, verb=verb, **params)
    size = token.get("completeListSize") if token is not None else str(len(headers))
    while True:
        records += [(h.findtext("oai:identifier", namespaces=NS), h.get("status")) for h in headers]
        if token is None or not token.text:
            return records, int(size)
        number += 1
        if during:
            during(number)
        document, headers, token = page(client, verb=verb, resumptionToken=token.text)
        assert document.find("oai:error", NS) is None


def test_edits_additions_and_deletions_mid_harvest(client, harvestable, small_pages, committed):
    author = make_person()
    publications = [make_publication(authors=[author]) for _ in range(10)]
    harvestable()
    ids = [oai_identifier(p.pk) for p in publications]
    added = []

    def during(number):
        with committed():
            if number == 1:
                # Already sent: edited (would jump to the end under datestamp order).
                publications[0].title = "Edited after it was sent"
                publications[0].save()
                # Not yet reached: edited, deleted, and gets a new attachment.
                publications[8].title = "Edited before it was reached"
                publications[8].save()
                make_attachment(publications[7])
                publications[9].delete()
                added.append(make_publication())
            if number == 2:
                author.family_name = "Renamed"  # touches every record, sent or not
                author.save()
                publications[1].delete()  # already sent
                added.append(make_publication(topics=[make_topic()]))

    records, size = harvest(client, during=during, metadataPrefix="oai_dc")
    identifiers = [identifier for identifier, _status in records]
    assert len(identifiers) == len(set(identifiers)), "a record was sent twice"
    assert sorted(identifiers) == sorted(ids), "a record was skipped, or a new one crept in"
    assert size == len(records) == 10
    deleted = {identifier for identifier, status in records if status == "deleted"}
    assert deleted == {ids[9]}


def test_incremental_harvest_after_changes_catches_up(client, harvestable, small_pages, committed):
    publications = [make_publication() for _ in range(5)]
    harvestable()
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = first.findtext("oai:responseDate", namespaces=NS)
    gone = oai_identifier(publications[1].pk)
    with committed():
        publications[0].title = "Changed"
        publications[0].save()
        publications[1].delete()
        new = make_publication()
    records, _size = harvest(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": started}
    )
    assert {identifier for identifier, _ in records} >= {
        oai_identifier(publications[0].pk),
        gone,
        oai_identifier(new.pk),
    }


def test_a_page_of_records_costs_fixed_queries(
    client, harvestable, django_assert_num_queries, settings
):
    settings.OAI_PAGE_SIZE = 100

    def fill(count):
        topic = make_topic()
        for _ in range(count):
            publication = make_publication(authors=[make_person(), make_person()], topics=[topic])
            make_attachment(publication)
        harvestable()

    fill(3)
    # count, page, publications, authors, attachments, topics, regions
    with django_assert_num_queries(7):
        oai(client, verb="ListRecords", metadataPrefix="oai_openaire")
    fill(30)
    cache.clear()
    with django_assert_num_queries(7):
        document = oai(client, verb="ListRecords", metadataPrefix="oai_openaire")
    assert len(document.findall(".//oai:record", NS)) == 33
    # Metadata already built comes from the cache (keyed by fingerprint): count and page.
    with django_assert_num_queries(2):
        again = oai(client, verb="ListRecords", metadataPrefix="oai_openaire")
    assert etree.tostring(again.find(".//oai:ListRecords", NS)) == etree.tostring(
        document.find(".//oai:ListRecords", NS)
    )
    with django_assert_num_queries(2):
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")


def test_a_resumed_page_starts_its_index_scan_at_the_token(client, harvestable, small_pages):
    """The keyset condition carries ``created >= position`` on its own, so the harvest-order
    index starts where the last page ended instead of filtering every earlier record (a
    page from the middle of 100,000 records took 27 ms that way, 0.2 ms this way)."""
    for _ in range(5):
        make_publication()
    harvestable()
    _, _, token = page(client, metadataPrefix="oai_dc")
    with CaptureQueriesContext(connection) as captured:
        page(client, resumptionToken=token.text)
    listing = [q["sql"] for q in captured.captured_queries if 'FROM "oai_record"' in q["sql"]]
    assert listing and all('"oai_record"."created" >= ' in sql for sql in listing), listing
