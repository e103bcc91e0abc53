"""Every verb and every error of OAI-PMH 2.0, each response validated against OAI-PMH.xsd and
each record against its format's schema (the XSD files kept in the repository)."""

import pytest

from dialogue_portal.oai.metadata import oai_identifier
from publications.models import Publication
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_project,
    make_publication,
    make_topic,
)
from tests.oai.conftest import NS, error_code, oai

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(harvestable):
    institution = make_institution(name="Royal United Services Institute")
    author = make_person(institution=institution, orcid="0000-0002-1825-0097")
    topic = make_topic(slug="arms-control", name="Arms control")
    project = make_project(slug="uk-russia-dialogue", name="UK–Russia dialogue")
    report = make_publication(
        authors=[author], topics=[topic], project=project, title="Report <&> “quotes”"
    )
    make_attachment(report)
    article = make_publication(kind=Publication.Kind.ARTICLE, language="ru")
    conference = make_publication(kind=Publication.Kind.CONFERENCE_REPORT)
    harvestable()
    return {"report": report, "article": article, "conference": conference}


def test_identify(client, archive):
    document = oai(client, verb="Identify")
    assert document.findtext("oai:Identify/oai:deletedRecord", namespaces=NS) == "persistent"
    assert document.findtext("oai:Identify/oai:granularity", namespaces=NS) == (
        "YYYY-MM-DDThh:mm:ssZ"
    )
    assert document.findtext("oai:Identify/oai:baseURL", namespaces=NS).endswith("/oai/")
    assert document.find("oai:request", NS).get("verb") == "Identify"


def test_post_is_answered_like_get(client, archive):
    document = oai(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(document.findall(".//oai:header", NS)) == 3


def test_list_metadata_formats(client, archive):
    document = oai(client, verb="ListMetadataFormats")
    prefixes = document.xpath("//oai:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "oai_openaire"]
    one = oai(client, verb="ListMetadataFormats", identifier=oai_identifier(archive["report"].pk))
    assert len(one.findall(".//oai:metadataFormat", NS)) == 2


def test_list_sets_names_every_kind_of_set(client, archive):
    document = oai(client, verb="ListSets")
    specs = document.xpath("//oai:setSpec/text()", namespaces=NS)
    for spec in ["type", "type:report", "topic:arms-control", "project:uk-russia-dialogue"]:
        assert spec in specs
    assert "language:ru" in specs


def test_get_record_in_both_formats(client, archive):
    identifier = oai_identifier(archive["report"].pk)
    dc = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert dc.findtext(".//dc:title", namespaces=NS) == "Report <&> “quotes”"
    openaire = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_openaire")
    resource = openaire.find(".//oaire:resource", NS)
    assert resource.find("oaire:resourceType", NS).get("uri") == (
        "http://purl.org/coar/resource_type/c_93fc"
    )
    assert resource.findtext(".//datacite:affiliation", namespaces=NS) == (
        "Royal United Services Institute"
    )
    assert resource.findtext(".//datacite:nameIdentifier", namespaces=NS) == ("0000-0002-1825-0097")
    file = resource.find("oaire:file", NS)
    assert file.get("mimeType") == "application/pdf"
    assert file.text.endswith(f"/files/{archive['report'].attachments.get().pk}/")
    assert resource.find("datacite:rights", NS).get("rightsURI").endswith("c_abf2")
    assert resource.findtext("dc:language", namespaces=NS) == "eng"


def test_a_doi_is_carried_in_both_formats(client, archive):
    report = archive["report"]
    Publication.objects.filter(pk=report.pk).update(doi="10.1234/rusi.2021.7")
    identifier = oai_identifier(report.pk)
    dc = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert "https://doi.org/10.1234/rusi.2021.7" in [
        e.text for e in dc.iterfind(".//dc:identifier", NS)
    ]
    openaire = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_openaire")
    alternate = openaire.find(".//datacite:alternateIdentifier", NS)
    assert alternate.get("alternateIdentifierType") == "DOI"
    assert alternate.text == "10.1234/rusi.2021.7"


@pytest.mark.parametrize(
    ("kind", "uri"),
    [
        ("article", "c_6501"),
        ("conference", "c_c94f"),
    ],
)
def test_coar_resource_types(client, archive, kind, uri):
    document = oai(
        client,
        verb="GetRecord",
        identifier=oai_identifier(archive[kind].pk),
        metadataPrefix="oai_openaire",
    )
    assert document.find(".//oaire:resourceType", NS).get("uri").endswith(uri)


def test_selective_harvest_by_set(client, archive):
    by_type = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type:article")
    assert document_ids(by_type) == [oai_identifier(archive["article"].pk)]
    parent = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type")
    assert len(document_ids(parent)) == 3
    language = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="language:ru")
    assert document_ids(language) == [oai_identifier(archive["article"].pk)]
    topic = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="topic:arms-control")
    assert document_ids(topic) == [oai_identifier(archive["report"].pk)]


def document_ids(document):
    return document.xpath("//oai:header/oai:identifier/text()", namespaces=NS)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"verb": "Explode"},
        {"verb": ["Identify", "Identify"]},
    ],
)
def test_bad_verb(client, archive, params):
    document = oai(client, **params)
    assert error_code(document) == "badVerb"
    assert dict(document.find("oai:request", NS).attrib) == {}


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify", "junk": "1"},
        {"verb": "ListRecords"},
        {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T10:00:00"},
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-01-01",
            "until": "2024-02-01T00:00:00Z",
        },
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-02-01",
            "until": "2024-01-01",
        },
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
        {"verb": "ListRecords", "metadataPrefix": "oai dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "topic::x"},
        {"verb": "GetRecord", "identifier": "oai:x:publication/1"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "has space"},
        {"verb": "Identify", "resumptionToken": "x"},
        {"verb": "ListMetadataFormats", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "\x00"},
    ],
)
def test_bad_argument(client, archive, params):
    document = oai(client, **params)
    assert error_code(document) == "badArgument"
    assert dict(document.find("oai:request", NS).attrib) == {}


@pytest.mark.parametrize("token", ["junk", "", "a" * 500, "eyJ2IjoxfQ:1vRQ:forged"])
def test_bad_resumption_token(client, archive, token):
    document = oai(client, verb="ListRecords", resumptionToken=token)
    assert error_code(document) == "badResumptionToken"
    assert document.find("oai:request", NS).get("verb") == "ListRecords"


def test_list_sets_gives_no_token(client, archive):
    document = oai(client, verb="ListSets", resumptionToken="anything")
    assert error_code(document) == "badResumptionToken"


def test_cannot_disseminate_format(client, archive):
    for verb in ("ListRecords", "ListIdentifiers"):
        document = oai(client, verb=verb, metadataPrefix="marcxml")
        assert error_code(document) == "cannotDisseminateFormat"
        assert document.find("oai:request", NS).get("metadataPrefix") == "marcxml"
    document = oai(
        client,
        verb="GetRecord",
        metadataPrefix="marcxml",
        identifier=oai_identifier(archive["report"].pk),
    )
    assert error_code(document) == "cannotDisseminateFormat"


@pytest.mark.parametrize(
    "identifier",
    ["oai:elsewhere.org:publication/1", "oai:127.0.0.1:publication/999999", "urn:isbn:123"],
)
def test_id_does_not_exist(client, archive, identifier):
    for params in (
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "ListMetadataFormats"},
    ):
        document = oai(client, identifier=identifier, **params)
        assert error_code(document) == "idDoesNotExist"
        assert document.find("oai:request", NS).get("identifier") == identifier


def test_drafts_and_scheduled_work_do_not_exist(client, harvestable):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    scheduled = make_publication(days_ago=-3)
    harvestable()
    for publication in (draft, scheduled):
        document = oai(
            client,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=oai_identifier(publication.pk),
        )
        assert error_code(document) == "idDoesNotExist"
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == (
        "noRecordsMatch"
    )


def test_no_records_match(client, archive):
    for params in (
        {"until": "2000-01-01"},
        {"from": "2999-01-01T00:00:00Z"},
        {"set": "topic:no-such-topic"},
    ):
        document = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **params)
        assert error_code(document) == "noRecordsMatch"
        assert document.find("oai:request", NS).get("verb") == "ListRecords"


def test_deleted_item_has_no_metadata_formats(client, archive, django_capture_on_commit_callbacks):
    identifier = oai_identifier(archive["article"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        archive["article"].delete()
    document = oai(client, verb="ListMetadataFormats", identifier=identifier)
    assert error_code(document) == "noMetadataFormats"
    record = oai(client, verb="GetRecord", metadataPrefix="oai_openaire", identifier=identifier)
    header = record.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    assert record.find(".//oai:metadata", NS) is None


def test_from_and_until_select_by_datestamp(client, archive):
    document = oai(client, verb="Identify")
    earliest = document.findtext(".//oai:earliestDatestamp", namespaces=NS)
    same = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": earliest})
    assert len(document_ids(same)) == 3
    day = earliest[:10]
    both = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=day, **{"from": day})
    assert len(document_ids(both)) == 3


def test_no_set_hierarchy_never_applies(client, archive):
    """The repository supports sets, so noSetHierarchy (for repositories without) never comes."""
    document = oai(client, verb="ListSets")
    assert document.find("oai:error", NS) is None
