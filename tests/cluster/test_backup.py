"""`make backup` and `make restore`: the restored database and bucket export the same
archive, byte for byte, as the ones that were backed up."""

import os
import subprocess
import sys
import uuid
import zipfile

import pytest

from tests.cluster.conftest import ROOT, SCRIPT, sql

pytestmark = pytest.mark.cluster

DROP_BUCKET = """
import os, boto3
from botocore.config import Config
s3 = boto3.resource("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
                    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
bucket = s3.Bucket(os.environ["AWS_STORAGE_BUCKET_NAME"])
bucket.objects.all().delete()
bucket.delete()
"""


def export(env, target, **overrides):
    environment = {**os.environ, **env, **overrides}
    environment.pop("PYTEST_CURRENT_TEST", None)
    subprocess.run(
        [sys.executable, "manage.py", "export_archive", str(target)],
        cwd=ROOT, env=environment, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return target.read_bytes()


def test_a_backup_restores_to_the_same_archive(env, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    database, bucket = f"dp_restore_{suffix}", f"dp-restore-{suffix}"
    backup = tmp_path / "backup"
    run = {**os.environ, "CLUSTER_DIR": env["CLUSTER_DIR"]}
    subprocess.run([str(SCRIPT), "backup", str(backup)], env=run, check=True, timeout=300)
    assert (backup / "database.dump").stat().st_size > 0
    assert (backup / "media.txt").read_text().strip()
    subprocess.run(
        [str(SCRIPT), "restore", str(backup), "--database", database, "--bucket", bucket],
        env=run, check=True, timeout=300,
    )  # fmt: skip
    restored_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
    try:
        original = export(env, tmp_path / "original.zip", DATABASE_REPLICA_URLS="")
        restored = export(
            env,
            tmp_path / "restored.zip",
            DATABASE_URL=restored_url,
            DATABASE_REPLICA_URLS="",
            AWS_STORAGE_BUCKET_NAME=bucket,
        )
        # A real archive: publications and the files from the bucket.
        with zipfile.ZipFile(tmp_path / "restored.zip") as archive:
            names = archive.namelist()
        assert any(name.endswith(".pdf") for name in names)
        assert any(name.endswith((".jpg", ".png", ".webp")) for name in names)
        assert original == restored
    finally:
        sql(env, "primary", f'DROP DATABASE IF EXISTS "{database}"')
        subprocess.run(
            [sys.executable, "-c", DROP_BUCKET],
            env={**os.environ, **env, "AWS_STORAGE_BUCKET_NAME": bucket},
            check=False, timeout=60,
        )  # fmt: skip
