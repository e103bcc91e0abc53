"""What `make cluster` runs, and that it works together: Varnish in front of both nodes,
the replica streaming, media in S3."""

import re
import subprocess

import pytest

from tests.cluster.conftest import Browser, health, sql

pytestmark = pytest.mark.cluster


def test_varnish_balances_over_two_healthy_nodes(env):
    secret = env["CLUSTER_DIR"] + "/varnish/secret"
    command = ["varnishadm", "-T", env["CLUSTER_VARNISH_ADMIN"], "-S", secret, "backend.list"]
    listed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    nodes = [line for line in listed.splitlines() if re.search(r"\bnode[12]\b", line)]
    assert len(nodes) == 2
    assert all("healthy" in line for line in nodes), listed


def test_every_part_is_healthy(front, nodes):
    for url in [front, *nodes]:
        answer = health(url)
        assert answer["status"] == "ok", answer
        assert set(answer["checks"]) == {"primary", "replica_1", "redis", "storage"}


def test_health_is_never_a_copy(front):
    browser = Browser(front)
    for _ in range(2):
        answer = browser.get("/health/")
        assert answer.status == 200
        assert "no-store" in answer.headers["Cache-Control"]
        assert answer.headers["X-Varnish-Cache"] == "miss"
        assert "Age" not in answer.headers or answer.headers["Age"] == "0"


def test_varnish_keeps_public_pages(front):
    browser = Browser(front)
    path = "/publications/"
    browser.get(path)
    again = browser.get(path)
    assert again.status == 200
    assert again.headers["X-Varnish-Cache"] == "hit"


def test_the_replica_streams_from_the_primary(env):
    (state,) = sql(env, "primary", "SELECT state FROM pg_stat_replication")
    assert state == ("streaming",)
    assert sql(env, "replica", "SELECT pg_is_in_recovery()") == [(True,)]


def test_media_come_from_the_s3_store(front, env):
    browser = Browser(front)
    listing = browser.get("/publications/")
    stored = []
    for path in dict.fromkeys(re.findall(r'href="(/publications/[a-z0-9-]+/)"', listing.text)):
        page = browser.get(path)
        sources = re.findall(r'<img[^>]+src="([^"]+)"', page.text)
        stored = [
            src.replace("&amp;", "&")
            for src in sources
            if src.startswith(env["AWS_S3_ENDPOINT_URL"] + "/" + env["AWS_STORAGE_BUCKET_NAME"])
        ]
        if stored:
            break
    assert stored, "no publication's image comes from the S3 store"
    image = browser.get(stored[0])
    assert image.status == 200
    assert image.headers["Content-Type"].startswith("image/")
    # Pages allow images from the store, and from nowhere else.
    policy = page.headers["Content-Security-Policy"]
    assert re.search(
        r"img-src 'self' data: " + re.escape(env["AWS_S3_ENDPOINT_URL"]) + "(;|$)", policy
    )
