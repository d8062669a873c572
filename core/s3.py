"""S3-compatible object storage (AWS S3, SeaweedFS, MinIO, Ceph RGW, R2, GCS's S3 interface) for images and uploads.

    EASEL_STORAGE_URL=s3://bucket/prefix      EASEL_S3_ENDPOINT_URL=http://seaweedfs:8333 (empty: AWS itself)

Region and credentials come from the standard AWS settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE, instance roles ...). Requests are signed with SigV4; with an
endpoint URL set, addressing is path-style (most S3-compatible servers have no per-bucket host names), unless
EASEL_S3_ADDRESSING_STYLE says otherwise.

A PUT replaces an object in one step, so a reader sees the old object or the new one, never half of one.
Transient failures (connection refused or reset, timeouts, 5xx, throttling) are retried with exponential
backoff by botocore; what still fails is raised as StorageUnavailable.
"""

from __future__ import annotations

import time
from functools import cached_property
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core.storage import StorageUnavailable

MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


def parse_s3_url(url: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix/"); the prefix may be empty."""
    parts = urlparse(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"EASEL_STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


class S3Storage:
    def __init__(
        self,
        url: str,
        *,
        endpoint_url: str = "",
        public_endpoint_url: str = "",
        addressing_style: str = "",
        region: str = "",
        max_attempts: int = 5,
        connect_timeout: float = 3.0,
        read_timeout: float = 20.0,
    ):
        self.bucket, self.prefix = parse_s3_url(url)
        style = addressing_style or ("path" if endpoint_url else "auto")

        self._endpoint_url, self._public_endpoint_url = endpoint_url, public_endpoint_url
        self._style, self._region = style, region
        self._connect_timeout, self._read_timeout = connect_timeout, read_timeout
        self._client = self._make_client(endpoint_url, max_attempts, read_timeout)

    def _make_client(self, endpoint: str, attempts: int, timeout: float):
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": self._style},
            retries={"max_attempts": attempts, "mode": "standard"},  # exponential backoff with jitter
            connect_timeout=min(self._connect_timeout, timeout),
            read_timeout=min(self._read_timeout, timeout),
        )
        return boto3.session.Session().client(
            "s3", endpoint_url=endpoint or None, region_name=self._region or None, config=config
        )

    @cached_property
    def _probe(self):
        # /readyz asks once, quickly: a health check must not sit through the backoff.
        return self._make_client(self._endpoint_url, 1, 2.0)

    @cached_property
    def _presigner(self):
        # Presigned URLs are for clients: they may reach the store under another name than the nodes do.
        return self._make_client(self._public_endpoint_url or self._endpoint_url, 1, self._read_timeout)

    def _key(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"storage key escapes the store: {key!r}")
        return self.prefix + key

    def _unavailable(self, action: str, key: str, exc: Exception) -> StorageUnavailable:
        return StorageUnavailable(f"object storage could not {action} {key!r} (s3://{self.bucket}): {exc}")

    def put(self, key: str, data: bytes) -> None:
        try:
            self._client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable("store", key, exc) from exc

    def get(self, key: str) -> bytes:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING_CODES:
                raise FileNotFoundError(key) from exc
            raise self._unavailable("read", key, exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable("read", key, exc) from exc

    def delete(self, key: str) -> None:
        """Deleting a key that is not there is not an error (S3 says so too)."""
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable("delete", key, exc) from exc

    def check(self) -> None:
        """Raise StorageUnavailable unless the bucket answers (for /readyz)."""
        try:
            self._probe.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"s3://{self.bucket}: {exc}") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket if it is not there (`easel migrate` does this; most clouds create it beforehand)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise self._unavailable("find bucket", self.bucket, exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable("find bucket", self.bucket, exc) from exc
        try:
            self._client.create_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise self._unavailable("create bucket", self.bucket, exc) from exc

    def presigned_url(self, key: str, expires_at: int, now: float | None = None) -> str:
        """A GET URL signed by the store itself, valid until `expires_at` (Unix time), the moment Easel's own
        signed URL for the image would expire. Signing is local: no request is made."""
        expires_in = max(1, int(expires_at - (now or time.time())))
        return self._presigner.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(key)}, ExpiresIn=expires_in
        )
