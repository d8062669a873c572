"""Images and uploads in a real S3-compatible server (SeaweedFS, SigV4 checked): the three operations through the
openai SDK in both URL modes, tampered and expired URLs, the store going away mid-run; retention and deletion
on both backends."""

from __future__ import annotations

import base64
import io
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import openai
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from core.db import make_engine, make_sessionmaker
from core.tables import Job
from easel.assembly import create_app
from tests.conftest import fetch, migrated, new_key, png_bytes, scene, wait_for

pytestmark = pytest.mark.s3

FAST = {"steps": 3}
PREFIX = "easel"


def s3_settings(make_settings, weed, bucket: str, **overrides):
    return migrated(
        make_settings(storage_url=f"s3://{bucket}/{PREFIX}", s3_endpoint_url=weed.endpoint_url, **overrides)
    )


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


def wait_for_job(client, job_id: str, statuses: set[str], timeout: float = 90) -> dict:
    def reached():
        job = client.get(f"/v1/jobs/{job_id}").json()
        return job if job["status"] in statuses else None

    return wait_for(reached, timeout, f"job {job_id} to reach {statuses}", interval=0.1)


def stored_outputs(weed, bucket: str, job_id: str) -> list[str]:
    return weed.keys(bucket, f"{PREFIX}/outputs/{job_id}/")


@pytest.mark.parametrize("presigned", [False, True], ids=["served", "presigned"])
def test_three_operations_through_the_sdk_with_s3_storage(make_settings, weed, s3_bucket, presigned):
    ttl = 6
    settings = s3_settings(make_settings, weed, s3_bucket, s3_presigned_urls=presigned, url_ttl_seconds=ttl)
    with TestClient(create_app(settings)) as client:
        key = new_key(settings)
        client.headers["Authorization"] = f"Bearer {key}"
        sdk = openai.OpenAI(base_url="http://testserver/v1", api_key=key, http_client=client, max_retries=0)

        def download(url: str) -> bytes:
            if presigned:
                # Straight from the bucket: the API node is not on the path.
                assert url.startswith(weed.endpoint_url + f"/{s3_bucket}/{PREFIX}/outputs/"), url
                response = httpx.get(url, timeout=10)
                assert response.status_code == 200, response.text
                return response.content
            assert url.startswith("http://testserver/v1/files/img_"), url
            status, content = fetch(client, url)
            assert status == 200
            return content

        signed_at = time.time()
        generated = sdk.images.generate(prompt="a red circle", n=2, size="256x256", response_format="url",
                                        extra_body=FAST)
        urls = [item.url for item in generated.data]
        images = [download(url) for url in urls]
        assert all(open_png(data).size == (256, 256) for data in images)
        # The bytes served are the objects in the bucket; nothing went to the node's data folder.
        [job_row] = _jobs(settings)
        assert stored_outputs(weed, s3_bucket, job_row.id) == [f"{PREFIX}/outputs/{job_row.id}/{i}.png" for i in (0, 1)]
        assert images[0] == weed.read(s3_bucket, f"{PREFIX}/outputs/{job_row.id}/0.png")
        assert not (settings.data_dir / "images").exists()

        as_b64 = sdk.images.generate(prompt="a blue square", size="256x256", response_format="b64_json",
                                     extra_body=FAST)
        assert open_png(base64.b64decode(as_b64.data[0].b64_json)).size == (256, 256)

        mask = Image.new("RGBA", (256, 256), (0, 0, 0, 255))
        mask.paste((0, 0, 0, 0), (96, 96, 224, 224))
        edited = sdk.images.edit(
            image=("scene.png", png_bytes(scene(256)), "image/png"), mask=("mask.png", png_bytes(mask), "image/png"),
            prompt="a green square", size="256x256", response_format="url", extra_body=FAST,
        )
        assert open_png(download(edited.data[0].url)).size == (256, 256)
        varied = sdk.images.create_variation(
            image=("scene.png", png_bytes(scene(256)), "image/png"), size="256x256", response_format="b64_json",
            extra_body=FAST,
        )
        assert open_png(base64.b64decode(varied.data[0].b64_json)).size == (256, 256)
        # Uploads went to the bucket for the worker and were deleted once their jobs ended.
        assert weed.keys(s3_bucket, f"{PREFIX}/inputs/") == []
        assert len(weed.keys(s3_bucket, f"{PREFIX}/outputs/")) == 5

        url = urls[0]
        parts = urlparse(url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if presigned:
            # The store itself checks its signature (SigV4) and expiry, which Easel set to its own URL's.
            expires_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            expires_at = expires_at.timestamp() + int(query["X-Amz-Expires"])
            assert signed_at + ttl - 2 <= expires_at <= time.time() + ttl
            signature = query["X-Amz-Signature"]
            tampered = [
                url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:]),
                url.replace(f"X-Amz-Expires={query['X-Amz-Expires']}", "X-Amz-Expires=86400"),
                url.replace("/0.png?", "/1.png?"),  # another object under the same signature
            ]
            for bad in tampered:
                assert httpx.get(bad, timeout=10).status_code == 403, bad
            wait_for(lambda: time.time() > expires_at + 1, ttl + 5, "the URL's expiry")
            expired = httpx.get(url, timeout=10)
            assert expired.status_code == 403 and "expired" in expired.text.lower()
        else:
            tampered = f"{parts.path}?expires={int(query['expires']) + 3600}&signature={query['signature']}"
            assert client.get(tampered).json()["error"]["code"] == "invalid_signature"
            wait_for(lambda: time.time() > int(query["expires"]) + 1, ttl + 5, "the URL's expiry")
            response = client.get(f"{parts.path}?{parts.query}")
            assert response.status_code == 403 and response.json()["error"]["code"] == "url_expired"


def _jobs(settings) -> list[Job]:
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.query(Job).order_by(Job.created_at).all()
            for row in rows:
                row.images  # load while the session is open
            return rows
    finally:
        engine.dispose()


def _update_job(settings, job_id: str, **values) -> None:
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))
            session.commit()
    finally:
        engine.dispose()


def test_s3_stopped_mid_run_jobs_end_with_their_images_or_a_reason(make_settings, weed, s3_bucket):
    settings = s3_settings(make_settings, weed, s3_bucket)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        before = client.post("/v1/images/generations", json={"prompt": "before", "size": "256x256", **FAST})
        assert before.status_code == 200
        old_url = before.json()["data"][0]["url"]
        assert client.get("/readyz").status_code == 200

        accepted = [
            client.post("/v1/jobs/generations", json={"prompt": f"outage {i}", "size": "256x256", "steps": 12}).json()
            for i in range(4)
        ]
        wait_for_job(client, accepted[0]["id"], {"running", "succeeded"})
        weed.stop()
        try:
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "storage" in ready.json()["problems"]
            # Serving an image and accepting an upload need the store: 503 with Retry-After, no job recorded.
            for response in (
                client.get(urlparse(old_url).path + "?" + urlparse(old_url).query),
                client.post("/v1/jobs/variations", files={"image": ("s.png", png_bytes(scene(64)), "image/png")},
                            data={"size": "256x256", **{k: str(v) for k, v in FAST.items()}}),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] and response.json()["error"]["code"] == "service_unavailable"
            assert len(_jobs(settings)) == 1 + len(accepted)
            time.sleep(3)  # jobs reach their puts while the store is away; the worker retries with backoff
        finally:
            weed.start()
        assert client.get("/readyz").status_code == 200

        outcomes = [wait_for_job(client, job["id"], {"succeeded", "failed"}, timeout=180) for job in accepted]
        for job in outcomes:
            if job["status"] == "succeeded":
                [item] = job["result"]["data"]
                status, content = fetch(client, item["url"])
                assert status == 200 and open_png(content).size == (256, 256)
                assert len(stored_outputs(weed, s3_bucket, job["id"])) == 1
            else:
                assert job["error"]["code"] == "generation_failed"
                assert "object storage" in job["error"]["message"], job["error"]
        # The gateway answers (readyz) a moment before a restarted SeaweedFS serves reads again: 503s meanwhile.
        wait_for(lambda: fetch(client, old_url)[0] == 200, 60, "the image from before the outage to be served again")


# --- retention and deletion, on both backends ---------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def backend(request, make_settings):
    """(settings overrides, list of stored keys) for each backend."""
    if request.param == "local":
        root = Path(make_settings().data_dir) / "images"

        def keys() -> list[str]:
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []

        return {}, keys
    weed, bucket = request.getfixturevalue("weed"), request.getfixturevalue("s3_bucket")

    def keys() -> list[str]:
        return [key.removeprefix(f"{PREFIX}/") for key in weed.keys(bucket, f"{PREFIX}/")]

    return {"storage_url": f"s3://{bucket}/{PREFIX}", "s3_endpoint_url": weed.endpoint_url}, keys


def test_retention_sweep_deletes_old_images_and_uploads_and_keeps_the_jobs(make_settings, backend):
    overrides, stored = backend
    settings = migrated(make_settings(retention_days=1, retention_sweep_interval_seconds=0.3, **overrides))
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        old = client.post("/v1/images/generations", json={"prompt": "old", "size": "256x256", **FAST}).json()
        old_url = old["data"][0]["url"]
        # An edit cancelled while queued never runs, so its worker never deletes its upload: retention does.
        blocker = client.post("/v1/jobs/generations", json={"prompt": "slow", "size": "256x256", "steps": 200}).json()
        wait_for_job(client, blocker["id"], {"running"})
        edit = client.post("/v1/jobs/edits", files={"image": ("s.png", png_bytes(scene(64, "RGBA", hole=True)),
                                                                 "image/png")},
                           data={"prompt": "fill", "size": "256x256", "steps": "3"}).json()
        assert client.post(f"/v1/jobs/{edit['id']}/cancel").json()["status"] == "cancelled"
        client.post(f"/v1/jobs/{blocker['id']}/cancel")
        wait_for_job(client, blocker["id"], {"cancelled"})
        recent = client.post("/v1/images/generations", json={"prompt": "recent", "size": "256x256", **FAST}).json()
        [old_job, _, edit_job, recent_job] = _jobs(settings)
        assert any(key.startswith(f"inputs/{edit_job.id}/") for key in stored())
        assert any(key.startswith(f"outputs/{old_job.id}/") for key in stored())

        two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
        for job in (old_job, edit_job):
            _update_job(settings, job.id, finished_at=two_days_ago)

        wait_for(lambda: all(j.images_expired_at for j in _jobs(settings) if j.id in (old_job.id, edit_job.id)),
                 30, "the retention sweep to run")
        assert [key for key in stored() if old_job.id in key or edit_job.id in key] == []
        assert any(key.startswith(f"outputs/{recent_job.id}/") for key in stored()), "recent images stay"

        # The jobs stay, marked; their URLs say what happened.
        job = client.get(f"/v1/jobs/{old_job.id}").json()
        assert job["status"] == "succeeded" and job["result"] is None and job["images_expired_at"] > 0
        gone = client.get(urlparse(old_url).path + "?" + urlparse(old_url).query)
        assert gone.status_code == 410
        error = gone.json()["error"]
        assert error["code"] == "images_expired" and "EASEL_RETENTION_DAYS" in error["message"]
        assert error["type"] == "invalid_request_error"
        assert fetch(client, recent["data"][0]["url"])[0] == 200


def test_delete_job_removes_its_images_and_uploads_for_its_owner_only(make_settings, backend):
    overrides, stored = backend
    settings = migrated(make_settings(**overrides))
    with TestClient(create_app(settings)) as client:
        owner = {"Authorization": f"Bearer {new_key(settings)}"}
        stranger = {"Authorization": f"Bearer {new_key(settings, 'other')}"}
        running = client.post("/v1/jobs/generations", json={"prompt": "slow", "size": "256x256", "steps": 200},
                              headers=owner).json()
        wait_for_job_with(client, owner, running["id"], {"running"})
        refused = client.delete(f"/v1/jobs/{running['id']}", headers=owner)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "job_not_finished"
        client.post(f"/v1/jobs/{running['id']}/cancel", headers=owner)
        wait_for_job_with(client, owner, running["id"], {"cancelled"})

        upload = png_bytes(scene(64, "RGBA", hole=True))
        done = client.post("/v1/jobs/edits", files={"image": ("s.png", upload, "image/png")},
                           data={"prompt": "a", "size": "256x256", "n": "2", "steps": "3"}, headers=owner).json()
        done = wait_for_job_with(client, owner, done["id"], {"succeeded"})
        urls = [item["url"] for item in done["result"]["data"]]
        keep = client.post("/v1/images/generations", json={"prompt": "a yellow house", "size": "256x256", **FAST},
                           headers=owner).json()
        assert "data" in keep, keep
        assert len([key for key in stored() if done["id"] in key]) == 2

        assert client.delete(f"/v1/jobs/{done['id']}", headers=stranger).status_code == 404
        assert len([key for key in stored() if done["id"] in key]) == 2
        deleted = client.delete(f"/v1/jobs/{done['id']}", headers=owner)
        assert deleted.status_code == 200 and deleted.json() == {"id": done["id"], "object": "image.job.deleted",
                                                                 "deleted": True}
        assert [key for key in stored() if done["id"] in key] == []
        assert client.get(f"/v1/jobs/{done['id']}", headers=owner).status_code == 404
        for url in urls:
            response = client.get(urlparse(url).path + "?" + urlparse(url).query)
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert client.delete(f"/v1/jobs/{done['id']}", headers=owner).status_code == 404
        assert client.delete(f"/v1/jobs/{running['id']}", headers=owner).status_code == 200
        assert fetch(client, keep["data"][0]["url"])[0] == 200


def wait_for_job_with(client, headers, job_id, statuses, timeout: float = 90) -> dict:
    def reached():
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        return job if job["status"] in statuses else None

    return wait_for(reached, timeout, f"job {job_id} to reach {statuses}", interval=0.1)


def test_storage_settings_choose_the_backend(make_settings, weed, s3_bucket, tmp_path, monkeypatch):
    from core.s3 import S3Storage, parse_s3_url
    from core.storage import LocalStorage, StorageUnavailable, make_storage

    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/") and parse_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError):
        parse_s3_url("s3:///prefix")
    assert isinstance(make_storage(make_settings()), LocalStorage)
    assert make_storage(make_settings(storage_url=str(tmp_path / "elsewhere"))).root == tmp_path / "elsewhere"
    store = make_storage(make_settings(storage_url=f"s3://{s3_bucket}/p", s3_endpoint_url=weed.endpoint_url))
    assert isinstance(store, S3Storage)
    store.put("outputs/j/0.png", b"one")
    store.put("outputs/j/0.png", b"two")  # a redelivered job replaces its object
    assert store.get("outputs/j/0.png") == b"two" and weed.keys(s3_bucket) == ["p/outputs/j/0.png"]
    store.delete("outputs/j/0.png")
    store.delete("outputs/j/0.png")
    with pytest.raises(FileNotFoundError):
        store.get("outputs/j/0.png")
    with pytest.raises(ValueError):
        store.put("../x", b"")
    store.check()
    # Wrong credentials: SigV4 is checked, and the failure is a StorageUnavailable, not a crash.
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    wrong = S3Storage(f"s3://{s3_bucket}/p", endpoint_url=weed.endpoint_url, max_attempts=1)
    with pytest.raises(StorageUnavailable, match="SignatureDoesNotMatch|AccessDenied|signature"):
        wrong.put("outputs/j/1.png", b"x")
    missing = S3Storage("s3://no-such-bucket-here/p", endpoint_url=weed.endpoint_url)
    with pytest.raises(StorageUnavailable):
        missing.check()
