"""The OpenAPI schema is valid, and a client that knows only the schema reads a
publication: every request it makes and every answer it gets are checked against it."""

import json
from urllib.parse import urlencode

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_spec_validator import validate

from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_topic,
    png_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.slow
def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/publications/", "/api/publications/{slug}/", "/api/polls/{slug}/"):
        assert "get" in schema["paths"][path]
    parameters = {p["name"] for p in schema["paths"]["/api/publications/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "sort", "topic", "date_from", "q", "author"} <= parameters


class SchemaClient:
    """Knows the API only from its schema: finds the operation by its id, fills in the path,
    and validates the request it sends and the response it receives."""

    def __init__(self, django_client, schema):
        self.client = django_client
        self.openapi = OpenAPI.from_dict(schema)
        self.operations = {
            operation["operationId"]: (path, method)
            for path, item in schema["paths"].items()
            for method, operation in item.items()
        }

    def call(self, operation_id, query=None, **path_params):
        path, method = self.operations[operation_id]
        url = path.format(**path_params)
        if query:
            url += "?" + urlencode(query, doseq=True)
        response = self.client.generic(method.upper(), url)
        request = DjangoOpenAPIRequest(response.wsgi_request)
        self.openapi.validate_request(request)
        self.openapi.validate_response(request, DjangoOpenAPIResponse(response))
        return response.json()


def test_a_client_built_from_the_schema_reads_a_publication(client, schema, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    institution = make_institution(slug="rusi")
    author = make_person(slug="author", institution=institution)
    topic, project = make_topic(slug="t"), make_project(slug="p")
    publication = make_publication(
        slug="report",
        authors=[author],
        topics=[topic],
        project=project,
        project_part=1,
        banner_image=png_upload(),
    )
    make_attachment(publication)
    make_publication(slug="translated", language="ru", translation_of=publication)
    make_poll(slug="poll")
    api = SchemaClient(client, schema)

    page = api.call("publications_list", {"topic": "t", "sort": "newest"})
    slug = page["results"][0]["slug"]
    detail = api.call("publications_retrieve", slug=slug)
    assert detail["title"] == publication.title
    assert detail["authors"][0]["institution"]["slug"] == "rusi"
    assert detail["language_versions"][0]["slug"] == "translated"
    api.call("people_retrieve", slug="author")
    api.call("institutions_retrieve", slug="rusi")
    api.call("topics_list")
    api.call("projects_retrieve", slug="p")
    api.call("polls_retrieve", slug="poll")
    api.call("polls_list")
