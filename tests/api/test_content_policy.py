"""The content policy at its three points, through the API: prompt, upload, output. Each refusal is a 400
`content_policy_violation` as OpenAI sends it, recorded (with a hash of the prompt, never the image)."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from easel.assembly import create_app
from core import tables
from easel.cli import main as easel
from core.db import make_engine, make_sessionmaker
from tests.conftest import migrated, new_key, png_bytes, scene

FAST = {"steps": 3, "size": "256x256"}


def rejections(settings) -> list[tables.PolicyRejection]:
    engine = make_engine(settings.sqlalchemy_url)
    with make_sessionmaker(engine)() as session:
        rows = list(session.scalars(select(tables.PolicyRejection).order_by(tables.PolicyRejection.id)))
    engine.dispose()
    return rows


def astronaut() -> Image.Image:
    data = pytest.importorskip("skimage.data")
    return Image.fromarray(data.astronaut()).crop((0, 0, 512, 512)).resize((256, 256))


def assert_policy_error(response):
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "content_policy_violation" and error["type"] == "invalid_request_error"
    return error


def test_blocked_prompt_is_refused_and_recorded(client, settings, auth):
    prompt = "a photo of a b1oody decapitated body"
    assert_policy_error(client.post("/v1/images/generations", json={"prompt": prompt, **FAST}, headers=auth))
    assert_policy_error(client.post("/v1/jobs/generations", json={"prompt": prompt, **FAST}, headers=auth))
    (first, second) = rejections(settings)
    assert first.stage == "prompt" and first.operation == "generate" and first.category
    assert first.prompt_sha256 == tables.sha256_hex(prompt) and first.api_key_id is not None
    assert client.get("/v1/jobs", headers=auth).json()["data"] == []  # nothing was queued


def test_benign_prompts_with_trigger_words_get_images(client, auth):
    for prompt in ("a killer whale jumping out of the sea", "a shot of espresso on a wooden table",
                   "a naked mole rat in its burrow", "a glass of bloody mary"):
        response = client.post("/v1/images/generations", json={"prompt": prompt, **FAST}, headers=auth)
        assert response.status_code == 200, (prompt, response.text)
        assert len(response.json()["data"]) == 1


def test_upload_showing_a_real_face_is_refused(client, settings, auth):
    photo = astronaut().convert("RGBA")
    photo.putpixel((0, 0), (0, 0, 0, 0))
    response = client.post(
        "/v1/images/edits",
        files={"image": ("me.png", png_bytes(photo), "image/png")},
        data={"prompt": "add a hat", "size": "256x256"},
        headers=auth,
    )
    assert_policy_error(response)
    response = client.post(
        "/v1/images/variations", files={"image": ("me.png", png_bytes(photo), "image/png")}, headers=auth
    )
    assert_policy_error(response)
    assert [(r.stage, r.category, r.check) for r in rejections(settings)] == [("upload", "public-figures", "face")] * 2
    # A picture without a person goes through.
    response = client.post(
        "/v1/images/variations",
        files={"image": ("s.png", png_bytes(scene(128)), "image/png")},
        data={"steps": "3", "size": "256x256"},
        headers=auth,
    )
    assert response.status_code == 200, response.text


def test_blocked_output_is_not_stored_or_returned(make_settings, tmp_path, capsys, monkeypatch):
    # A deployment that accepts face uploads but refuses faces in outputs: editing a corner of a portrait
    # keeps the face (pixels outside the mask are untouched), so the output check must catch it.
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("checks:\n  upload: {face: false}\n  output: {face: true}\n")
    settings = migrated(make_settings(policy_file=policy_file))
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {new_key(settings)}"}
        photo = np.asarray(astronaut().convert("RGBA")).copy()
        photo[:16, :16, 3] = 0  # repaint only a small corner
        response = client.post(
            "/v1/images/edits",
            files={"image": ("p.png", png_bytes(Image.fromarray(photo)), "image/png")},
            data={"prompt": "a small bird", "n": "2", **{k: str(v) for k, v in FAST.items()}},
            headers=headers,
        )
        assert_policy_error(response)
        (job,) = client.get("/v1/jobs", headers=headers).json()["data"]
        assert job["status"] == "failed" and job["error"]["code"] == "content_policy_violation"
        assert job["result"] is None
        assert not list((settings.data_dir / "images").rglob("*.png")), "a blocked output was stored"
        rows = rejections(settings)
        assert [(r.stage, r.check) for r in rows] == [("output", "face")] * 2 and rows[0].job_id == job["id"]

        # The allowed path of the same deployment still returns images.
        ok = client.post(
            "/v1/images/generations", json={"prompt": "a red circle", "response_format": "b64_json", **FAST},
            headers=headers,
        )
        assert ok.status_code == 200 and base64.b64decode(ok.json()["data"][0]["b64_json"])

    from core.config import get_settings

    capsys.readouterr()
    monkeypatch.setenv("EASEL_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("EASEL_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    easel(["rejections", "--category", "public-figures"])
    get_settings.cache_clear()
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3 and all("output" in line and "face" in line for line in listing[1:])
