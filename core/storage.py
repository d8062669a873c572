"""Where images and uploads live: a local folder by default, or an S3-compatible bucket (core/s3.py) with
EASEL_STORAGE_URL=s3://bucket/prefix. Both implement the Storage protocol below.

Image URLs are served by Easel and signed: /v1/files/{image_id}/content?expires=..&signature=..
The signature is an HMAC of the image id and expiry under the deployment's secret, so a URL cannot be altered
or extended, and it stops working when it expires.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Protocol

from core.config import Settings


class StorageUnavailable(RuntimeError):
    """The store cannot be reached or refuses for now (after retries). The API answers 503 with Retry-After."""


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...  # FileNotFoundError when the key is not there
    def delete(self, key: str) -> None: ...  # a missing key is not an error
    def check(self) -> None: ...  # raises StorageUnavailable when the store cannot take work (for /readyz)


class LocalStorage:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        created, folder = [], path.parent
        while not folder.exists():  # one stat when the folder is there already, the common case
            created.append(folder)
            folder = folder.parent
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in created:
            _fsync_dir(folder.parent)
        # Write then rename, so a reader never sees half an image and a redelivered job just replaces it.
        # Synced before the job that refers to it is committed: a crash of the machine must not leave a
        # succeeded job without its images, nor an accepted edit without its upload.
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, path)
        except OSError as exc:  # a full or read-only disk: the store's fault, not the request's (503, not 500)
            tmp.unlink(missing_ok=True)
            raise StorageUnavailable(f"the image store at {self.root} could not write: {exc.strerror or exc}") from exc
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def check(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"{self.root} is not writable")

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # A key's folder (one job's inputs) goes with its last file, or a folder would stay behind per job.
        if path.parent != self.root.resolve():
            with contextlib.suppress(OSError):  # not empty yet
                path.parent.rmdir()


def _fsync_dir(path: Path) -> None:
    """Make a folder's entries (a new file's name, a rename) survive a crash of the machine."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_storage(settings: Settings) -> Storage:
    if settings.storage_url.startswith("s3://"):
        from core.s3 import S3Storage

        return S3Storage(
            settings.storage_url,
            endpoint_url=settings.s3_endpoint_url,
            public_endpoint_url=settings.s3_public_endpoint_url,
            addressing_style=settings.s3_addressing_style,
        )
    if settings.storage_url:
        return LocalStorage(Path(settings.storage_url.removeprefix("file://")))
    return LocalStorage(settings.data_dir / "images")


def ensure_storage(settings: Settings, wait_seconds: float = 60.0) -> None:
    """With S3 storage, wait until the store answers (it may start after us), then create the bucket if it is
    not there yet: `easel migrate`, the prestart step, does this once per deploy."""
    ensure_bucket = getattr(make_storage(settings), "ensure_bucket", None)
    if ensure_bucket is None:
        return
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            ensure_bucket()
            return
        except StorageUnavailable as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"object storage not reachable after {wait_seconds:.0f}s: {exc}")
            time.sleep(1)


def load_secret(settings: Settings) -> bytes:
    """The URL-signing secret: from settings, or generated once and kept in the data folder."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # atomic and fails if another process won the race
        except FileExistsError:
            pass
        tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode()


class UrlSigner:
    def __init__(self, secret: bytes, ttl_seconds: int):
        self.secret = secret
        self.ttl_seconds = ttl_seconds

    def _signature(self, image_id: str, expires: int) -> str:
        return hmac.new(self.secret, f"{image_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, image_id: str, now: float | None = None) -> tuple[int, str]:
        expires = int((now or time.time()) + self.ttl_seconds)
        return expires, self._signature(image_id, expires)

    def verify(self, image_id: str, expires: int, signature: str, now: float | None = None) -> str | None:
        """None when valid, else the reason it is not."""
        # Bytes, so that a signature with non-ASCII characters is simply wrong rather than an error.
        if not hmac.compare_digest(self._signature(image_id, expires).encode(), signature.encode("utf-8", "replace")):
            return "invalid_signature"
        if expires < (now or time.time()):
            return "url_expired"
        return None
