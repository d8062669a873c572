"""The three Images API operations through the app and its embedded worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from easel.assembly import create_app
from tests.conftest import fetch, migrated, new_key, png_bytes, scene

FAST = {"steps": 3}


@pytest.fixture
def db_client(make_settings, database_url):
    settings = migrated(make_settings(database_url=database_url))
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        yield client, settings


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_generation_url_and_b64_on_both_databases(db_client):
    client, _ = db_client
    response = client.post(
        "/v1/images/generations", json={"prompt": "a red circle", "n": 2, "size": "256x256", **FAST}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 300
    assert len(body["data"]) == 2 and all(set(d) == {"url"} for d in body["data"])
    images = []
    for item in body["data"]:
        status, content = fetch(client, item["url"])
        assert status == 200
        image = decode(content)
        assert image.format == "PNG" and image.size == (256, 256)
        images.append(np.asarray(image))
    assert not np.array_equal(images[0], images[1])  # two images of one batch, not one twice

    response = client.post(
        "/v1/images/generations",
        json={"prompt": "a red circle", "size": "512x512", "response_format": "b64_json", **FAST},
    )
    assert response.status_code == 200, response.text
    (item,) = response.json()["data"]
    assert decode(base64.b64decode(item["b64_json"])).size == (512, 512)


def test_seed_reproduces_and_output_format_is_honoured(client, auth):
    body = {"prompt": "a blue star", "size": "256x256", "seed": 7, "response_format": "b64_json", **FAST}
    first = client.post("/v1/images/generations", json=body, headers=auth).json()["data"][0]["b64_json"]
    second = client.post("/v1/images/generations", json=body, headers=auth).json()["data"][0]["b64_json"]
    assert first == second
    for fmt, pil_name in (("jpeg", "JPEG"), ("webp", "WEBP")):
        response = client.post(
            "/v1/images/generations",
            json={**body, "output_format": fmt, "output_compression": 80},
            headers=auth,
        )
        assert response.status_code == 200, response.text
        assert decode(base64.b64decode(response.json()["data"][0]["b64_json"])).format == pil_name


def test_signed_urls_refuse_tampering_and_expiry(make_settings):
    settings = migrated(make_settings(url_ttl_seconds=2))
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        url = client.post("/v1/images/generations", json={"prompt": "x", "size": "256x256", **FAST}).json()["data"][0]["url"]
        parts = urlparse(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        status, content = fetch(client, url)
        assert status == 200
        head = client.head(f"{parts.path}?{parts.query}")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == "image/png" and int(head.headers["content-length"]) == len(content)
        tampered = f"{parts.path}?expires={int(query['expires']) + 3600}&signature={query['signature']}"
        assert client.get(tampered).json()["error"]["code"] == "invalid_signature"
        assert client.head(tampered).status_code == 403
        other_image = parts.path.replace("img_", "img_0")
        assert client.get(f"{other_image}?{parts.query}").status_code == 403
        time.sleep(3)
        response = client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 403 and response.json()["error"]["code"] == "url_expired"


def test_edit_with_mask_keeps_everything_outside_it(client, auth):
    source = scene(256, "RGB")
    mask = Image.new("RGBA", (256, 256), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (64, 64, 192, 192))  # transparent = repaint
    response = client.post(
        "/v1/images/edits",
        files={"image": ("s.png", png_bytes(source), "image/png"), "mask": ("m.png", png_bytes(mask), "image/png")},
        data={"prompt": "a green triangle", "n": "2", "size": "256x256", "response_format": "b64_json", "steps": "3"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    keep = np.asarray(mask)[..., 3] > 0
    for item in response.json()["data"]:
        out = np.asarray(decode(base64.b64decode(item["b64_json"])).convert("RGB"))
        assert out.shape == (256, 256, 3)
        assert np.array_equal(out[keep], np.asarray(source)[keep])
        assert not np.array_equal(out[~keep], np.asarray(source)[~keep])


def test_edit_by_alpha_alone_and_variation(client, auth):
    source = scene(256, "RGBA", hole=True)
    response = client.post(
        "/v1/images/edits",
        files={"image[]": ("s.png", png_bytes(source), "image/png")},
        data={"prompt": "fill it in", "size": "256x256", "response_format": "b64_json", "steps": "3"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    out = np.asarray(decode(base64.b64decode(response.json()["data"][0]["b64_json"])).convert("RGB"))
    keep = np.asarray(source)[..., 3] > 0
    assert np.array_equal(out[keep], np.asarray(source.convert("RGB"))[keep])

    response = client.post(
        "/v1/images/variations",
        files={"image": ("s.png", png_bytes(scene(128)), "image/png")},
        data={"n": "3", "size": "256x256", "steps": "3"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 3


def test_models_are_listed_and_served_names_accepted(client, auth):
    ids = [m["id"] for m in client.get("/v1/models", headers=auth).json()["data"]]
    assert ids == ["dall-e-2", "kandinsky-2.2"]
    response = client.post(
        "/v1/images/generations",
        json={"prompt": "x", "model": "kandinsky-2.2", "size": "256x256", **FAST},
        headers=auth,
    )
    assert response.status_code == 200
    assert client.get("/v1/models/dall-e-3", headers=auth).status_code == 404


def test_sdk_retry_attaches_to_the_first_job(client, auth):
    body = {"prompt": "a yellow heart", "size": "256x256", **FAST}
    first = client.post("/v1/jobs/generations", json=body, headers=auth).json()
    retried = client.post(
        "/v1/jobs/generations", json=body, headers={**auth, "x-stainless-retry-count": "1"}
    ).json()
    assert retried["id"] == first["id"]
    fresh = client.post("/v1/jobs/generations", json=body, headers=auth).json()
    assert fresh["id"] != first["id"]  # asking again on purpose is new work

    keyed = {**auth, "Idempotency-Key": "abc-123"}
    a = client.post("/v1/jobs/generations", json=body, headers=keyed).json()
    b = client.post("/v1/jobs/generations", json=body, headers=keyed).json()
    assert a["id"] == b["id"]
    clash = client.post("/v1/jobs/generations", json={**body, "prompt": "other"}, headers=keyed)
    assert clash.status_code == 400 and clash.json()["error"]["code"] == "idempotency_key_reused"


def test_requests_sharing_an_idempotency_key_at_once_make_one_job(db_client):
    client, settings = db_client
    upload = png_bytes(scene(mode="RGBA", hole=True))

    def post(_):
        return client.post(
            "/v1/jobs/edits",
            files={"image": ("s.png", upload, "image/png")},
            data={"prompt": "a yellow heart", "size": "256x256", **FAST},
            headers={"Idempotency-Key": "sent-together"},
        )

    # Arriving together, they all miss the lookup for an earlier job; the database's unique key decides.
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(post, range(6)))
    assert [r.status_code for r in responses] == [202] * 6, [r.text for r in responses]
    job_ids = {r.json()["id"] for r in responses}
    assert len(job_ids) == 1
    inputs = settings.data_dir / "images" / "inputs"
    assert {p.name for p in inputs.iterdir()} <= job_ids  # the other requests' uploads were not left behind


def test_an_idempotency_key_longer_than_its_column_is_a_400_on_both_databases(db_client):
    client, _ = db_client
    body = {"prompt": "a yellow heart", "size": "256x256", **FAST}
    response = client.post("/v1/jobs/generations", json=body, headers={"Idempotency-Key": "k" * 257})
    assert response.status_code == 400  # PostgreSQL refused the insert: a 500
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert client.post("/v1/jobs/generations", json=body, headers={"Idempotency-Key": "k" * 256}).status_code == 202


def test_browser_pages_from_allowed_origins_may_call_the_api(make_settings):
    settings = migrated(make_settings(cors_origins=["https://app.example"]))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    with TestClient(create_app(settings)) as client:
        allowed = client.options("/v1/images/generations", headers={"Origin": "https://app.example", **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        # An error reaches the page with its message: it carries the header as well.
        refused = client.post("/v1/images/generations", json={"prompt": "x"}, headers={"Origin": "https://app.example"})
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "https://app.example"
        other = client.options("/v1/images/generations", headers={"Origin": "https://elsewhere.example", **preflight})
        assert "access-control-allow-origin" not in other.headers
    with TestClient(create_app(migrated(make_settings()))) as client:  # the default: no origin is allowed
        response = client.post("/v1/images/generations", json={"prompt": "x"}, headers={"Origin": "https://app.example"})
        assert "access-control-allow-origin" not in response.headers


def test_rate_limit_answers_429_with_retry_after(make_settings):
    settings = migrated(make_settings(rate_limit_per_minute=2))
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        bad = {"prompt": "x", "model": "nope"}  # refused (404 model_not_found) after the rate check, so no model work is needed
        assert client.post("/v1/images/generations", json=bad).status_code == 404
        assert client.post("/v1/images/generations", json=bad).status_code == 404
        response = client.post("/v1/images/generations", json=bad)
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limit_exceeded"
        assert int(response.headers["retry-after"]) >= 1


def test_nul_characters_are_a_400_on_both_databases(db_client):
    """PostgreSQL text cannot hold NUL: every way one can reach a stored or looked-up string is refused first."""
    client, _ = db_client
    png = png_bytes(scene(256).convert("RGBA"))
    cases = [
        (client.post("/v1/images/generations", json={"prompt": "a red\x00 circle", "size": "256x256"}), "prompt"),
        (client.post("/v1/images/generations", json={"prompt": "a red circle", "user": "u\x00"}), "user"),
        (client.post("/v1/images/edits", files={"image": ("a.png", png, "image/png")},
                     data={"prompt": "a\x00b", "size": "256x256"}), "prompt"),
        (client.post("/v1/images/variations", files={"image": ("a.png", png, "image/png")},
                     data={"user": "u\x00"}), "user"),
        (client.get("/v1/jobs/job_%00"), None),
        (client.get("/v1/jobs?after=job_%00"), None),
        (client.post("/v1/jobs/job_%00/cancel"), None),
    ]
    for response, param in cases:
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
    assert client.get("/v1/jobs").json()["data"] == []  # nothing was recorded
