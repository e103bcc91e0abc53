"""One part of the cluster stops; readers are still served, and the health endpoint says
what is missing while Varnish keeps both nodes in."""

import io
import os
import subprocess
import sys
import uuid

import pytest
from PIL import Image

from tests.cluster.conftest import Browser, health, sql, stopped

pytestmark = pytest.mark.cluster

# The cluster holds the demo content (`make cluster` loads it): a publication with a banner.
PAGES = ["/", "/publications/", "/publications/after-new-start/", "/people/", "/topics/", "/polls/",
         "/ru/publications/"]  # fmt: skip


def assert_served(bases):
    """Every page, asked with a query no cache has seen, answers 200 from every base."""
    for base in bases:
        browser = Browser(base)
        for path in PAGES:
            fresh = f"{path}?page=1&sort=newest&q=fault{uuid.uuid4().hex[:6]}"
            for url in (path, fresh):
                answer = browser.get(url)
                assert answer.status == 200, (base, url, answer.status)


def assert_degraded(nodes, missing):
    for node in nodes:
        answer = health(node)
        assert answer["status"] == "degraded", answer
        assert [name for name, check in answer["checks"].items() if not check["ok"]] == [missing]


def test_replica_stopped_reads_fall_back_to_the_primary(env, front, nodes):
    with stopped(env, "replica"):
        assert_served([front, *nodes])
        assert_degraded(nodes, "replica_1")
    # Back: the replica serves again once the nodes have retried it.
    assert all(health(node)["status"] == "ok" for node in nodes)


def test_redis_stopped_pages_still_served(env, front, nodes):
    with stopped(env, "redis"):
        assert_served([front, *nodes])
        assert_degraded(nodes, "redis")


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


LIST_KEYS = """
import os, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    for item in page.get("Contents", ()):
        print(item["Key"])
"""


def bucket_keys(env):
    """The bucket's keys, listed by another process: this one runs under the tests' clock,
    which S3 would refuse to sign with."""
    listed = subprocess.run(
        [sys.executable, "-c", LIST_KEYS], env={**os.environ, **env}, check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return set(listed.split())


def test_s3_stopped_pages_served_and_an_upload_is_refused_whole(env, front, nodes):
    (person_id, photo, modified) = sql(
        env, "primary", "SELECT id, photo, updated_at FROM people_person ORDER BY id LIMIT 1"
    )[0]
    keys = bucket_keys(env)
    editor = Browser(front)
    editor.login("admin", "dialogue-admin")
    change = editor.get(f"/admin/people/person/{person_id}/change/")
    form = change.form(form_id="person_form")

    with stopped(env, "s3"):
        assert_served([front, *nodes])
        assert_degraded(nodes, "storage")
        answer = editor.submit(
            form,
            [("position", "Changed while the store was away")],
            files={"photo": ("portrait.png", png(), "image/png")},
            button=("_save", "Save"),
        )
        assert answer.status == 200  # the form again, with its error, not an error page
        assert "The file store cannot be reached just now" in answer.text
        assert "/change/" in answer.url

    # Nothing of the form was saved, and nothing reached the store.
    assert sql(env, "primary", "SELECT photo, updated_at FROM people_person WHERE id = %s",
               person_id) == [(photo, modified)]  # fmt: skip
    assert bucket_keys(env) == keys
