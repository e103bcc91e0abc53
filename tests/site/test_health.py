"""/health/: what Varnish's probe reads. 503 only when the node cannot serve (no primary)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import OperationalError

from dialogue_portal import health
from dialogue_portal.core.uploads import validate_image_upload, validate_pdf_upload
from tests.factories import pdf_upload, png_upload


def fail(*args, **kwargs):
    raise OSError("the store is away")


@pytest.mark.django_db
def test_everything_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert {"primary", "storage"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_storage_away_is_degraded_not_down(client, monkeypatch):
    # On the storage's class: the tests' media folder may give default_storage a new
    # instance meanwhile, and the patch must come off whatever it then holds.
    default_storage._setup()
    monkeypatch.setattr(type(default_storage._wrapped), "exists", fail)
    body = client.get("/health/").json()
    assert body["status"] == "degraded"
    assert body["checks"]["storage"] == {
        "ok": False,
        "error": "OSError: the store is away",
        "ms": body["checks"]["storage"]["ms"],
    }


@pytest.mark.django_db
def test_primary_away_takes_the_node_out(client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "checks", lambda: {"primary": broken, "storage": health._storage})
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"


@pytest.mark.django_db
def test_health_is_get_only(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.parametrize(
    ("validate", "upload"), [(validate_pdf_upload, pdf_upload), (validate_image_upload, png_upload)]
)
def test_an_upload_while_the_store_is_away_is_a_form_error(monkeypatch, validate, upload):
    default_storage._setup()
    monkeypatch.setattr(type(default_storage._wrapped), "exists", fail)
    with pytest.raises(ValidationError, match="file store cannot be reached"):
        validate(upload())
