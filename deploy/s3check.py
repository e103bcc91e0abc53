"""Exit 0 once the S3 store answers and holds the media bucket (made here if missing).

deploy/cluster.sh polls it after starting SeaweedFS; the AWS_* variables of .cluster/env
name the store, the bucket and the credentials.
"""

import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def main() -> int:
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    try:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError:
            s3.create_bucket(Bucket=bucket)
            s3.head_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
