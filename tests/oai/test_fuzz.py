"""Property: any arguments, by GET or POST, get a schema-valid OAI-PMH answer — a list or one
of the protocol's errors — never a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dialogue_portal.oai.metadata import oai_identifier
from tests.factories import make_publication, make_topic
from tests.oai.conftest import validate

ERRORS = {
    "badVerb",
    "badArgument",
    "badResumptionToken",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
}
KEYS = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "x"]

values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "Identify",
            "ListRecords",
            "ListIdentifiers",
            "ListSets",
            "GetRecord",
            "ListMetadataFormats",
            "oai_dc",
            "oai_openaire",
            "2024-01-01",
            "2024-02-30",
            "2024-01-01T00:00:00Z",
            "9999-12-31",
            "0000-01-01",
            "topic",
            "topic:t",
            "type:report",
            "{identifier}",
            "oai:127.0.0.1:publication/99999999999999999999",
            "\x00",
            "😀",
            "' OR 1=1 --",
            "<x/>",
            "eyJ2IjoxfQ:1vRQ:x",
        ]
    ),
)
pairs = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=5)


@pytest.fixture
def archive(harvestable):
    publication = make_publication(topics=[make_topic(slug="t")])
    harvestable()
    return publication


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arguments=pairs, post=st.booleans())
def test_any_arguments_get_a_protocol_answer(client, archive, arguments, post):
    identifier = oai_identifier(archive.pk)  # the one record there is, sometimes asked for
    body = "&".join(
        f"{quote(k, safe='')}={quote(v.replace('{identifier}', identifier), safe='')}"
        for k, v in arguments
    )
    if post:
        response = client.post("/oai/", body, content_type="application/x-www-form-urlencoded")
    else:
        response = client.get(f"/oai/?{body}")
    assert response.status_code == 200, (arguments, response.status_code)
    document = validate(etree.fromstring(response.content).getroottree())
    errors = document.findall("{http://www.openarchives.org/OAI/2.0/}error")
    assert all(error.get("code") in ERRORS for error in errors)
