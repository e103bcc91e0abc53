"""Back up the cluster's primary and media bucket, and restore them into fresh ones.

    deploy/cluster.sh backup [DIR]     # make backup
    deploy/cluster.sh restore [DIR] [--database NAME] [--bucket NAME]   # make restore

``backup`` writes DIR (default .cluster/backups/<UTC time>/) with ``database.dump``
(``pg_dump --format=custom`` of the primary: consistent, compressed, restorable table by
table) and ``media/``, a copy of every object in the bucket under its key, listed in
``media.txt`` with its size. ``restore`` loads the newest backup (or DIR) into a database
and a bucket that must not exist yet (default: ``<name>_restored_<time>``), so a restore
never overwrites what runs, and prints their names; point DATABASE_URL and
AWS_STORAGE_BUCKET_NAME at them to use them. The environment comes from .cluster/env
(deploy/cluster.sh loads it).
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

PGBIN = Path(os.environ["PGBIN"])  # deploy/cluster.sh exports the one it runs


def s3_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def primary() -> tuple[str, str, str, str]:
    """(host, port, user, database) of DATABASE_URL."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return (
        url.hostname or "127.0.0.1",
        str(url.port or 5432),
        url.username or "postgres",
        (url.path.lstrip("/")),
    )


def run(*command: str) -> None:
    subprocess.run(command, check=True)  # noqa: S603 - our own binaries, arguments from .cluster/env


def objects(s3, bucket: str):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        yield from page.get("Contents", ())


def backup(target: Path) -> None:
    host, port, user, database = primary()
    target.mkdir(parents=True, exist_ok=False)
    run(
        str(PGBIN / "pg_dump"), "--format=custom", "--no-owner", "-h", host, "-p", port,
        "-U", user, "-f", str(target / "database.dump"), database,
    )  # fmt: skip
    s3 = s3_client()
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    media = target / "media"
    listed = []
    for item in objects(s3, bucket):
        key = item["Key"]
        path = media / key
        if not path.resolve().is_relative_to(media.resolve()):
            raise SystemExit(f"refusing an object key outside the folder: {key!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        listed.append(f"{item['Size']}\t{key}")
    (target / "media.txt").write_text("".join(line + "\n" for line in listed))
    print(f"backup: {target} (database {database}, {len(listed)} media objects from {bucket})")


def restore(source: Path, database: str, bucket: str) -> None:
    host, port, user, _ = primary()
    client = ("-h", host, "-p", port, "-U", user)
    run(str(PGBIN / "createdb"), *client, database)
    run(
        str(PGBIN / "pg_restore"), "--no-owner", "--exit-on-error", *client, "-d", database,
        str(source / "database.dump"),
    )  # fmt: skip
    s3 = s3_client()
    s3.create_bucket(Bucket=bucket)
    media = source / "media"
    count = 0
    for line in (source / "media.txt").read_text().splitlines():
        _, key = line.split("\t", 1)
        s3.upload_file(str(media / key), bucket, key)
        count += 1
    print(f"restored: database {database}, bucket {bucket} ({count} media objects)")


def newest(folder: Path) -> Path:
    found = sorted(path for path in folder.iterdir() if (path / "database.dump").is_file())
    if not found:
        raise SystemExit(f"no backup in {folder}")
    return found[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["backup", "restore"])
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--database")
    parser.add_argument("--bucket")
    args = parser.parse_args()
    backups = Path(os.environ["CLUSTER_DIR"]) / "backups"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.command == "backup":
        backup(Path(args.folder) if args.folder else backups / stamp)
    else:
        source = Path(args.folder) if args.folder else newest(backups)
        suffix = stamp.lower()
        restore(
            source,
            args.database or f"{primary()[3]}_restored_{suffix}",
            args.bucket or f"{os.environ['AWS_STORAGE_BUCKET_NAME']}-restored-{suffix}",
        )


if __name__ == "__main__":
    sys.exit(main())
