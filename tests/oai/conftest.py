"""Schema validation against the XSD files kept in the repository (no network), and helpers
that harvest the endpoint the way a harvester does."""

import functools
from pathlib import Path

import pytest
from lxml import etree

from dialogue_portal.oai.services import refresh_all

SCHEMAS = Path(__file__).resolve().parents[2] / "dialogue_portal" / "oai" / "schemas"
# Where the schemas' own imports point, mapped to the local copies.
LOCAL = {
    "http://www.w3.org/2001/03/xml.xsd": SCHEMAS / "xml.xsd",
    "http://www.w3.org/2009/01/xml.xsd": SCHEMAS / "xml.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": SCHEMAS / "simpledc20021212.xsd",
}
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "datacite": "http://datacite.org/schema/kernel-4",
}


class _Local(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url in LOCAL:
            return self.resolve_filename(str(LOCAL[url]), context)
        if url.startswith(("http:", "https:")):
            raise AssertionError(f"a schema asked for {url}: keep a local copy")
        return None


@functools.cache
def schema(name):
    parser = etree.XMLParser()
    parser.resolvers.add(_Local())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def validate(document):
    """Validate an OAI-PMH response, then each metadata record in it against its format."""
    schema("OAI-PMH.xsd").assertValid(document)
    for element in document.iterfind(".//oai:metadata/oai_dc:dc", NS):
        schema("oai_dc.xsd").assertValid(etree.ElementTree(element))
    for element in document.iterfind(".//oai:metadata/oaire:resource", NS):
        schema("openaire/openaire.xsd").assertValid(etree.ElementTree(element))
    return document


def oai(client, method="get", **params):
    """Ask /oai/ and return the parsed, validated response document."""
    response = getattr(client, method)("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validate(etree.fromstring(response.content).getroottree())


def error_code(document):
    codes = [e.get("code") for e in document.iterfind("oai:error", NS)]
    return codes[0] if len(codes) == 1 else codes


@pytest.fixture
def harvestable(django_capture_on_commit_callbacks):
    """Build the records of what the test made (tests run inside one transaction, so the
    on-commit refresh would not run by itself)."""

    def build():
        refresh_all()

    return build
